"""Pages of the Coop: the mapping of our values to its codes, its file in and out."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pathway.permissions import Role, staff_required
from stats.coop.mapping import TARGETS, Mapping, save_codes
from stats.models import CoopMappingKind

coordinating = staff_required(Role.COORDINATOR)


@coordinating
def coop_mapping(request):
    """Every value of ours and the Coop code it is exported as; coordinators change them."""
    mapping = Mapping()
    entries = mapping.entries()
    if request.method == "POST":
        changes = {}
        for entry in entries:
            posted = request.POST.get(f"m-{entry.kind}-{entry.value}")
            if posted is not None and posted.strip() != entry.code:
                changes[(entry.kind, entry.value)] = posted.strip()[:150]
        try:
            save_codes(changes, by=request.user)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(count)s correspondance(s) enregistrée(s).") % {"count": len(changes)},
            )
            return redirect("coop_mapping")
    groups = []
    for kind in CoopMappingKind:
        target = TARGETS[kind]
        groups.append(
            {
                "kind": kind,
                "free_text": target is None,
                "choices": sorted(target.items(), key=lambda item: item[1]) if target else [],
                "entries": [e for e in entries if e.kind == kind],
            }
        )
    return render(
        request,
        "stats/coop_mapping.html",
        {"groups": groups, "unmapped": [e for e in entries if not e.code]},
    )
