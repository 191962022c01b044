from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from organisatrice.people import views as people_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/language/", people_views.language_set, name="language_set"),
    path("backoffice/", admin.site.urls),
    path("orders/", include("organisatrice.orders.urls")),
    path("emails/", include("organisatrice.emails.urls")),
    path("api/v1/", include("organisatrice.api.urls")),
]

if settings.DEBUG and apps.is_installed("organisatrice.devtools"):
    # The development sink's pages: they exist only on a developer's machine.
    urlpatterns += [path("dev/", include("organisatrice.devtools.urls"))]
