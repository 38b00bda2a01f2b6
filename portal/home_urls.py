"""The site's root: each person's home page by role (un-namespaced: {% url 'home' %})."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]
