"""Pages of the programmes app (mounted at /programmes/): staff pages, and the public ones under /programmes/p/."""

from django.urls import path

from dolbom.programmes.views import public, staff

app_name = "programmes"

urlpatterns = [
    path("", staff.programme_list, name="programmes"),
    path("new/", staff.programme_new, name="programme_new"),
    path("<int:programme_id>/", staff.programme_page, name="programme"),
    path("<int:programme_id>/edit/", staff.programme_edit, name="programme_edit"),
    path("<int:programme_id>/schedule/", staff.programme_schedule, name="programme_schedule"),
    path("sessions/<int:session_id>/", staff.session_page, name="session"),
    path("sessions/<int:session_id>/door/", staff.door_page, name="door"),
    path("sessions/<int:session_id>/<slug:action>/", staff.session_action, name="session_action"),
    path("signups/<int:signup_id>/<slug:action>/", staff.signup_action, name="signup_action"),
    path("residents/<int:resident_id>/signup/", staff.resident_signup, name="resident_signup"),
    path("advisers/new/", staff.adviser_new, name="adviser_new"),
    path("advisers/<int:adviser_id>/", staff.adviser_page, name="adviser"),
    path("advisers/<int:adviser_id>/day/", staff.adviser_day, name="adviser_day"),
    path("advisers/<int:adviser_id>/<slug:action>/", staff.adviser_action, name="adviser_action"),
    path("slots/<int:slot_id>/book/", staff.slot_book, name="slot_book"),
    path("bookings/<int:booking_id>/<slug:action>/", staff.booking_action, name="booking_action"),
    path("referrals/", staff.referral_list, name="referrals"),
    path("referrals/<int:referral_id>/", staff.referral_page, name="referral"),
    path("referrals/<int:referral_id>/<slug:action>/", staff.referral_action, name="referral_action"),
    # Public pages: no login, no names.
    path("p/", public.index, name="public_index"),
    path("p/<int:programme_id>/", public.programme_page, name="public_programme"),
    path("p/sessions/<int:session_id>/", public.session_page, name="public_session"),
    path("p/sessions/<int:session_id>/lottery/", public.lottery_page, name="public_lottery"),
    path("p/verify/<str:token>/", public.verify_page, name="public_verify"),
    path("p/s/<str:token>/", public.signup_page, name="public_signup"),
    path("p/s/<str:token>/<slug:action>/", public.signup_action, name="public_signup_action"),
    path("p/consult/", public.consult_page, name="public_consult"),
    path("p/consult/slots/<int:slot_id>/", public.slot_page, name="public_slot"),
    path("p/b/<str:token>/", public.booking_page, name="public_booking"),
    path("p/b/<str:token>/<slug:action>/", public.booking_action, name="public_booking_action"),
]
