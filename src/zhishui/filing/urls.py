from django.urls import path

from . import views

urlpatterns = [
    path("filing/", views.my_filing, name="filing_home"),
    path("filing/prefill/", views.start_prefill, name="filing_prefill"),
    path("filing/returns/<int:pk>/", views.return_page, name="filing_return"),
    path("filing/returns/<int:pk>/cell/", views.change_cell, name="filing_cell"),
    path("filing/returns/<int:pk>/trace/<str:cell>/", views.trace_page, name="filing_trace"),
    path("filing/returns/<int:pk>/file/", views.file_return, name="filing_file"),
    path("filing/returns/<int:pk>/pay/", views.pay, name="filing_pay"),
    path("filing/returns/<int:pk>/correct/", views.correct, name="filing_correct"),
    path("filing/returns/<int:pk>/export.<str:fmt>", views.export, name="filing_export"),
    path("filing/invoices/<str:source>/<str:number>/", views.invoice, name="filing_invoice"),
    path("filing/calendar/", views.calendar_page, name="filing_calendar"),
    path("filing/status/", views.status, name="filing_status"),
    path("filing/abnormal/", views.abnormal, name="filing_abnormal"),
    path("filing/jobs/", views.jobs_page, name="filing_jobs"),
]
