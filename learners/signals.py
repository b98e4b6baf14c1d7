"""What learners tells the apps above it, which it may not import (certificates, stats):
they connect their receivers in their AppConfig.ready(). Sent with `send`, not
`send_robust`, inside the caller's transaction: a receiver's error (a merge refused) undoes
the whole write."""

from django.dispatch import Signal

# services.participations_changed() has refreshed the journeys of these residents after a
# write to their participations, assessments or counted details. Arguments: resident_ids
# (a set). The statistics refresh their summaries (stats.apps).
participations_changed = Signal()

# services.resident_merge() is about to merge `duplicate` into `survivor` (both locked).
# A receiver moves what it keeps of the duplicate to the survivor, or refuses the merge with
# a ValidationError (certificates: two valid ones for the same module).
residents_merging = Signal()

# services.resident_erase() is erasing these residents' personal data. Arguments:
# resident_ids, revoke_certificates (the person asked for them to be revoked), now.
residents_erasing = Signal()
