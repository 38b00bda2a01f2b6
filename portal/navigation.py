"""Which entry of the top bar a page belongs to, for the person reading it: one rule per page, here
rather than as conditions in templates/base.html. A page reached from two places belongs to the
person's own pages first (a head's charter edit is under My department; HR's under Organisation).
A view may name the page it stands for (`nav_current`): a concern is its raiser's, its department's
or HR's."""

from __future__ import annotations

from departments.roles import get_roles

# Pages that belong to one entry whoever reads them.
FIXED = {
    "portal:my_surveys": "my_surveys",
    "surveys:survey": "my_surveys",
    "surveys:answer": "my_surveys",
    "surveys:decline": "my_surveys",
    "portal:head_home": "my_department",
    "departments:directory": "departments",
    "portal:charter": "departments",
    "concerns:mine": "my_concerns",
    "concerns:raise": "my_concerns",
    "concerns:receipt": "my_concerns",
    "portal:hr_home": "dashboard",
    "scorecards:organisation": "results",
    "scorecards:hr_actions": "plans",
    "improvements:templates": "suggested_actions",
    "improvements:template_edit": "suggested_actions",
    "concerns:hr": "concerns",
    "concerns:settings": "concerns",
    "concerns:closure_add": "concerns",
    "departments:hr_departments": "manage_departments",
    "departments:create": "manage_departments",
    "departments:edit": "manage_departments",
    "departments:dependencies_edit": "manage_departments",
    "departments:hr_people": "people",
    "departments:org_import": "import",
    "departments:org_import_confirm": "import",
    "recognition:wall": "recognition",
    "recognition:thank": "recognition",
    "recognition:preferences": "recognition",
    "recognition:nominate": "recognition",
    "recognition:my_nominations": "recognition",
    "recognition:panel": "nominations",
    "recognition:criteria": "award_criteria",
    "recognition:criterion_create": "award_criteria",
    "recognition:criterion_edit": "award_criteria",
    "scorecards:value_chain": "departments",
    "scorecards:value_chain_table": "departments",
    "kpis:hr": "kpis",
    "audits:hr": "audits",
    "audits:templates": "audits",
    "audits:template_create": "audits",
    "audits:template_edit": "audits",
    "audits:schedule": "audits",
    "audits:detail": "audits",
    "audits:mine": "my_surveys",
    "audits:record": "my_surveys",
    "hrsync:runs": "hr_sync",
    "hrsync:run": "hr_sync",
    "service_accounts": "api_tokens",  # named by the API's HR pages (api.hr_views.NAV)
}
# Reviewing nominations: under Follow-up for HR; a panel member's bar has no Follow-up menu.
REVIEW_PAGES = {"recognition:nominations", "recognition:nomination_review"}
# A department's own pages: My department for its head; for HR, where HR follows them; for a
# delegate (whose bar has no department entry), where they reached them from.
DEPARTMENT_PAGES = {
    "scorecards:scorecard": ("results", "my_surveys"),
    "scorecards:action_list": ("plans", "my_surveys"),
    "scorecards:no_action": ("plans", "my_surveys"),
    "departments:charter_edit": ("manage_departments", "departments"),
    "departments:delegates": ("manage_departments", "departments"),
    "concerns:department": ("concerns", "my_concerns"),
    "kpis:department": ("kpis", "departments"),
    "kpis:create": ("kpis", "departments"),
    "kpis:edit": ("kpis", "departments"),
    "kpis:upload": ("kpis", "my_surveys"),
}


def section(view_name: str, roles) -> str:
    if view_name in FIXED:
        return FIXED[view_name]
    if view_name in REVIEW_PAGES:
        return "nominations" if roles.is_hr else "recognition"
    if view_name.startswith("surveys:cycle"):
        return "cycles"
    if view_name.startswith("improvements:"):  # a department's action items and commitments
        view_name = "scorecards:action_list"
    if view_name in DEPARTMENT_PAGES:
        for_hr, for_others = DEPARTMENT_PAGES[view_name]
        if roles.is_head:
            return "my_department"
        return for_hr if roles.is_hr else for_others
    return ""


def nav(request) -> dict:
    """Context processor: `nav`, the top bar's entry for this page. A view that knows better names
    the page it stands for in `request.nav_current` (context processors run when it renders)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not request.user.is_authenticated:
        return {"nav": ""}
    view_name = getattr(request, "nav_current", None) or match.view_name or ""
    return {"nav": section(view_name, get_roles(request))}
