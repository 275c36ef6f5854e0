"""Pages of the subsidies app (mounted at /subsidies/); the public ones under /subsidies/public/."""

from django.urls import path

from dolbom.subsidies.views import public, staff

app_name = "subsidies"

urlpatterns: list = [
    path("", staff.programme_list, name="programme_list"),
    path("suggestions/", staff.suggestion_list, name="suggestion_list"),
    path("applications/<int:application_id>/", staff.application_detail, name="application_detail"),
    path("applications/<int:application_id>/<str:action>/", staff.application_action, name="application_action"),
    path("documents/<int:document_id>/", staff.document_download, name="document_download"),
    path("decisions/<int:decision_id>/notice.pdf", staff.notice_download, name="notice_download"),
    path("residents/<int:resident_id>/point/", staff.pointer_create, name="pointer_create"),
    path("public/", public.board, name="public_board"),
    path("public/status/", public.status, name="public_status"),
    path("public/status/notice.pdf", public.notice, name="public_notice"),
    path("public/<slug:code>/apply/", public.apply, name="public_apply"),
    path("<slug:code>/", staff.programme_detail, name="programme_detail"),
    path("<slug:code>/rules/", staff.rules_page, name="rules"),
    path("<slug:code>/applications/", staff.application_list, name="application_list"),
    path("<slug:code>/applications/new/", staff.application_new, name="application_new"),
    path("<slug:code>/rounds/<int:number>/selection/", staff.selection_page, name="selection"),
    path("<slug:code>/rounds/<int:number>/<str:action>/", staff.round_action, name="round_action"),
]
