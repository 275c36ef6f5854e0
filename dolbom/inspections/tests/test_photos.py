"""Photos from the tablet: stored once per client id, checked to be images, stripped of camera metadata."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from dolbom.inspections import services
from dolbom.inspections.errors import InspectionErrorCode
from dolbom.inspections.models import Photo
from dolbom.inspections.tests.conftest import doc
from dolbom.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def _photo_with_location(size=(2400, 1800)) -> bytes:
    img = Image.new("RGB", size, (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "TabletMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 49.0, 12.0)}  # GPS
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def synced(inspector, facility):
    return services.inspection_sync(actor=inspector, doc=doc(facility)).inspection


def test_a_photo_sent_twice_is_stored_once_shrunk_and_without_its_metadata(inspector, synced):
    cid = uuid.uuid4()
    data = _photo_with_location()
    first, created = services.photo_upload(actor=inspector, client_id=cid, inspection_client_id=synced.client_id,
                                           data=data, item_code="labelling")
    again, created_again = services.photo_upload(actor=inspector, client_id=cid,
                                                 inspection_client_id=synced.client_id, data=data, item_code="labelling")
    assert created and not created_again and first.pk == again.pk and Photo.objects.count() == 1
    img = Image.open(io.BytesIO(bytes(first.data)))
    assert max(img.size) == 1600 and img.format == "JPEG"
    assert not img.getexif()  # no make, no location


def test_a_file_that_is_not_a_photo_is_refused(inspector, synced):
    with pytest.raises(DomainError) as exc:
        services.photo_upload(actor=inspector, client_id=uuid.uuid4(), inspection_client_id=synced.client_id,
                              data=b"%PDF-1.7 not a photo")
    assert exc.value.code == InspectionErrorCode.PHOTO_INVALID
    assert Photo.objects.count() == 0


def test_a_photo_needs_its_inspection_synced_first(inspector):
    with pytest.raises(DomainError) as exc:
        services.photo_upload(actor=inspector, client_id=uuid.uuid4(), inspection_client_id=uuid.uuid4(),
                              data=_photo_with_location((10, 10)))
    assert exc.value.code == InspectionErrorCode.INSPECTION_NOT_FOUND
