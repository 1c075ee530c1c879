from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("invoicing/issue/", views.issue, name="issue"),
    path("invoicing/batch/", views.batch, name="batch"),
    path("invoicing/template.xlsx", views.template_download, name="template"),
    path("invoicing/issued/", views.issued, name="issued"),
    path("invoicing/inbox/", views.inbox, name="inbox"),
    path("invoicing/invoices/<str:number>/", views.detail, name="detail"),
    path("invoicing/invoices/<str:number>/file.<str:fmt>", views.download, name="download"),
    path("invoicing/invoices/<str:number>/usage/", views.confirm_usage, name="confirm_usage"),
    path("invoicing/invoices/<str:number>/usage/revoke/", views.revoke_usage, name="revoke_usage"),
    path("invoicing/invoices/<str:number>/book/", views.book, name="book"),
    path("invoicing/invoices/<str:number>/red/", views.red_letter, name="red_letter"),
    path("invoicing/invoices/<str:number>/link/", views.create_link, name="create_link"),
    path("invoicing/d/<str:token>/", views.link, name="link"),
    path("invoicing/d/<str:token>/file.<str:fmt>", views.link_file, name="link_file"),
    path("invoicing/red/", views.red_list, name="red_list"),
    path("invoicing/red/<str:form_no>/<str:action>/", views.red_decide, name="red_decide"),
    path("invoicing/credit/", views.my_credit, name="my_credit"),
    path("invoicing/credit-lines/", views.credit_lines, name="credit_lines"),
    path("invoicing/monitor/", views.monitor, name="monitor"),
    path("invoicing/monitor/data/", views.monitor_data, name="monitor_data"),
    path("invoicing/monitor/activity.json", views.activity_json, name="activity_json"),
    path("verify/", views.verify, name="verify"),
    path("verify/q/", views.verify_qr_link, name="verify_qr"),
]
