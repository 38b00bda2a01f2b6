"""The recognition wall as an Atom feed: standing awards and visible thank-you notes, newest first.
Signed-in only, like every page (LoginRequiredMiddleware): a feed reader needs the session cookie.
An unnamed note's sender is never in it, whoever reads it."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notes
from .models import Award

FEED_ITEMS = 30


class WallFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Recognition wall")
    subtitle = gettext_lazy("Awards and thank-you notes across the organisation.")

    def link(self):
        return reverse("recognition:wall")

    def items(self):
        awards = list(
            Award.objects.standing().select_related("criterion", "department", "employee__user")[:FEED_ITEMS]
        )
        listed = list(notes.notes_for_listing(notes.notes_visible())[:FEED_ITEMS])
        merged = sorted(
            awards + listed,
            key=lambda item: item.awarded_at if isinstance(item, Award) else item.created_at,
            reverse=True,
        )
        return merged[:FEED_ITEMS]

    def item_title(self, item):
        if isinstance(item, Award):
            who = f"{item.employee.full_name}, {item.department.name}" if item.employee else item.department.name
            return f"{item.criterion.name}: {who}"
        to = ", ".join(c.full_name for c in item.colleagues.all()) or item.department.name
        return _("Thanks to %(names)s") % {"names": to}

    def item_description(self, item):
        if isinstance(item, Award):
            return item.citation
        sender = item.sender.full_name if item.show_name else _("A colleague")
        about = f" ({item.parameter.name})" if item.parameter else ""
        return f"{sender}{about}: {item.message}"

    def item_link(self, item):
        kind = "award" if isinstance(item, Award) else "note"
        return f"{reverse('recognition:wall')}#{kind}-{item.pk}"

    def item_pubdate(self, item):
        return item.awarded_at if isinstance(item, Award) else item.created_at

    def item_guid(self, item):
        return f"{'award' if isinstance(item, Award) else 'note'}-{item.pk}"

    item_guid_is_permalink = False


wall_feed = WallFeed()
