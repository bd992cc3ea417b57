from frontend.navigation import menu_for


def navigation(request):
    if not hasattr(request, "user"):
        return {}
    return {"nav": menu_for(request)}
