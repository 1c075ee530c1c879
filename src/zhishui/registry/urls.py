from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("exchange/", views.exchange, name="exchange"),
    path("exchange/upload/", views.upload, name="upload"),
    path("exchange/batches/<int:pk>/", views.batch, name="batch"),
    path("exchange/batches/<int:pk>/rejected/<str:feed>.csv", views.rejected_file, name="rejected_file"),
    path("search/", views.search, name="search"),
    path("taxpayers/<str:key>/", views.taxpayer, name="taxpayer"),
    path("persons/<str:key>/", views.person, name="person"),
]
