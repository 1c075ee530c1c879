from django.urls import include, path
from django.views.i18n import set_language

from zhishui.api import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("", include("zhishui.core.urls")),
    path("registry/", include("zhishui.registry.urls")),
    path("", include("zhishui.calc.urls")),
    path("", include("zhishui.web.urls")),
    path("", include("zhishui.invoicing.urls")),
    path("", include("zhishui.reform.urls")),
    path("", include("zhishui.filing.urls")),
]

handler403 = "zhishui.web.errors.forbidden"
handler404 = "zhishui.web.errors.not_found"
handler500 = "zhishui.web.errors.server_error"
