def userinfo(claims, user):
    """The standard claims the portal reads: the email (as the provider spells it) and the names."""
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    return claims
