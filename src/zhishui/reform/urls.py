from django.urls import path

from . import views

app_name = "reform"

urlpatterns = [
    path("reform/", views.dashboard, name="dashboard"),
    path("reform/tasks/", views.task_list, name="tasks"),
    path("reform/tasks/<int:number>/", views.task_detail, name="task"),
    path("reform/items/<int:pk>/", views.item_detail, name="item"),
    path("reform/items/<int:pk>/report/", views.report_submit, name="report_submit"),
    path("reform/items/<int:pk>/notice/", views.notice_issue, name="notice_issue"),
    path("reform/reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reform/review/", views.review_queue, name="review"),
    path("reform/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("reform/supervision/", views.supervision, name="supervision"),
    path("reform/supervision/remind/", views.remind_now, name="remind"),
    path("reform/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("reform/notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("reform/meetings/", views.meetings, name="meetings"),
    path("reform/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("reform/consultations/<int:pk>/settle/", views.consultation_settle, name="consultation_settle"),
    path("reform/research/", views.research, name="research"),
    path("reform/research/<int:pk>/", views.research_detail, name="research_detail"),
    path("reform/proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("reform/liaisons/", views.liaisons, name="liaisons"),
    path("reform/export/", views.export, name="export"),
    path("reform/inbox/", views.inbox, name="inbox"),
]
