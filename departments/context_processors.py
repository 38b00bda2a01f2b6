from .roles import get_roles


def roles(request) -> dict:
    return {"roles": get_roles(request)}
