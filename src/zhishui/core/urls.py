from django.contrib.auth import views as auth_views
from django.urls import path

from . import views_admin, views_auth

urlpatterns = [
    path("accounts/login/", views_auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", views_auth.otp_view, name="otp"),
    path("accounts/password/", views_auth.password_change_view, name="password_change"),
    path("admin/users/", views_admin.user_list, name="users"),
    path("admin/users/new/", views_admin.user_create, name="user_create"),
    path("admin/users/<int:pk>/active/", views_admin.user_set_active, name="user_set_active"),
    path("admin/users/<int:pk>/roles/", views_admin.user_roles, name="user_roles"),
    path("admin/users/<int:pk>/unlock/", views_admin.user_unlock, name="user_unlock"),
    path("audit/", views_admin.audit_list, name="audit"),
]
