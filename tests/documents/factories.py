import datetime
import io

import factory
from django.core.files.base import ContentFile
from PIL import ExifTags, Image

from organisatrice.orders.models import Photo
from tests.factories import EmployeeFactory, OrderFactory

# Lausanne, where no photo of a client's building should say it was taken.
GPS_LATITUDE = (46.0, 31.0, 10.5)
GPS_LONGITUDE = (6.0, 37.0, 58.2)


def jpeg_bytes(
    *,
    width: int = 400,
    height: int = 300,
    orientation: int = 1,
    with_gps: bool = True,
    comment: bytes = b"",
    xmp: bytes = b"",
    marker: int = 0,
) -> bytes:
    """A real camera-like JPEG: left half red, right half blue, EXIF orientation and GPS.

    `marker` shades a corner, so that photos differ (a PDF stores identical images once).
    """
    image = Image.new("RGB", (width, height), "blue")
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    image.paste((marker % 256, (marker * 7) % 256, 0), (width - 16, height - 16, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Fictional Camera Co"
    exif[ExifTags.Base.Model] = "FC-1"
    exif[ExifTags.Base.DateTime] = "2026:11:20 10:15:00"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 10:14:59"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-123456"
    if with_gps:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = GPS_LONGITUDE
    output = io.BytesIO()
    options: dict = {"exif": exif, "quality": 90}
    if comment:
        options["comment"] = comment
    if xmp:
        options["xmp"] = xmp
    image.save(output, "JPEG", **options)
    return output.getvalue()


class PhotoFactory(factory.django.DjangoModelFactory[Photo]):
    class Meta:
        model = Photo

    class Params:
        width = 400
        height = 300
        orientation = 1
        marker = factory.Sequence(lambda n: n)

    order = factory.SubFactory(OrderFactory)
    caption = factory.Sequence(lambda n: f"Vue {n} de la chaufferie")
    taken_at = factory.Sequence(lambda n: datetime.datetime(2026, 11, 20, 9, n % 60, tzinfo=datetime.UTC))
    taken_by = factory.SubFactory(EmployeeFactory)
    image = factory.LazyAttribute(
        lambda o: ContentFile(
            jpeg_bytes(width=o.width, height=o.height, orientation=o.orientation, marker=o.marker), name="IMG_0001.jpg"
        )
    )
