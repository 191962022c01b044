from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from organisatrice.people import views as people_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orders:list", permanent=False)),
    # The pages name their icon; this serves the clients that ask for /favicon.ico regardless
    # (lazy: the static files' manifest is read at the first request, not at import).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("login/", people_views.LoginView.as_view(), name="login"),
    path("login/language/", people_views.login_language_set, name="login_language"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/language/", people_views.language_set, name="language_set"),
    path("backoffice/", admin.site.urls),
    path("orders/", include("organisatrice.orders.urls")),
    path("emails/", include("organisatrice.emails.urls")),
    path("me/sent-copy/", include("organisatrice.sentcopy.urls")),
    path("api/v1/", include("organisatrice.api.urls")),
]

if settings.DEBUG and apps.is_installed("organisatrice.devtools"):
    # The development sink's pages: they exist only on a developer's machine.
    urlpatterns += [path("dev/", include("organisatrice.devtools.urls"))]
