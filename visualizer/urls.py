"""Visualizer pages: a student's sandbox, a class demo cluster, read-only share links, guided scenarios."""

from django.urls import path

from visualizer import views

app_name = "visualizer"

urlpatterns = [
    path("", views.sandbox, name="sandbox"),
    path("embed/", views.sandbox_embed, name="sandbox_embed"),
    path("c/<str:public_id>/", views.cluster, name="cluster"),
    path("watch/<str:token>/", views.shared, name="shared"),
    path("demo/new/", views.new_demo, name="new_demo"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/<slug:slug>/", views.scenario, name="scenario"),
    path("c/<str:public_id>/export/", views.export, name="export"),
    path("kubeconfig", views.own_kubeconfig, name="own_kubeconfig"),
    path("c/<str:public_id>/kubeconfig", views.cluster_kubeconfig, name="kubeconfig"),
]
