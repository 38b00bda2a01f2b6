app_name = "hrsync"

urlpatterns: list = []
