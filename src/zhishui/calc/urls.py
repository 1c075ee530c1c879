from django.urls import path

from . import views

urlpatterns = [
    path("law/parameters/", views.parameters, name="law_parameters"),
    path("law/calc/", views.calculator_list, name="calculators"),
    path("law/calc/<slug:name>/", views.calculator, name="calculator"),
]
