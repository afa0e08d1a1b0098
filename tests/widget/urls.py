"""The app's routes plus a cookie echo, to prove third-party cookies are really blocked."""

from django.http import JsonResponse

from config.routing import route
from config.urls import urlpatterns as app_urlpatterns


def cookie_echo(request):
    response = JsonResponse({"cookies": sorted(request.COOKIES)})
    if request.GET.get("set"):
        response.set_cookie(request.GET["set"], "1")
    return response


urlpatterns = [route("test/cookies", cookie_echo), *app_urlpatterns]
