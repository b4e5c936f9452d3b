from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("definitions/", views.definitions, name="definitions"),
    path("charts/<slug:name>.svg", views.chart, name="chart"),
]
