"""The pages of staff and residents. A package, as one file passed 800 lines; every view is
re-exported here, so that urls.py names them as before (`views.session_create`):

- sign_in.py: signing in, with the second factor, and the first page (home);
- sessions.py: logging sessions;
- residents.py: residents' records, their journey, exports, erasure and merges;
- referrals.py: referrals between actors;
- access.py: the access journal and the API keys (network admin);
- imports.py: imports and exports of files;
- resident_space.py: the resident's own space, and the personal links that open it."""

from learners.views.access import accesslog_list, apitoken_list, apitoken_revoke, network_admin_only
from learners.views.imports import (
    export_download,
    export_list,
    import_cancel,
    import_confirm,
    import_detail,
    import_start,
    visible_job,
)
from learners.views.referrals import (
    STEPS,
    referral_create,
    referral_detail,
    referral_list,
    referral_notifications,
)
from learners.views.resident_space import (
    followed_resident,
    me,
    me_access,
    me_data,
    me_erase,
    me_export,
    me_leave,
    me_open,
    resident_carnet,
    resident_link_revoke,
    resident_link_send,
    resident_links,
)
from learners.views.residents import (
    SEARCH_LIMIT,
    find_residents,
    resident_create,
    resident_erase,
    resident_export,
    resident_journey,
    resident_list,
    resident_merge,
    resident_search,
    resident_update,
    visible_resident,
)
from learners.views.sessions import (
    changeable_session,
    participants_initial,
    render_session_form,
    session_create,
    session_delete,
    session_forms,
    session_initial,
    session_list,
    session_update,
)
from learners.views.sign_in import LoginView, home, logout, otp_setup, otp_verify

__all__ = [
    "SEARCH_LIMIT",
    "STEPS",
    "LoginView",
    "accesslog_list",
    "apitoken_list",
    "apitoken_revoke",
    "changeable_session",
    "export_download",
    "export_list",
    "find_residents",
    "followed_resident",
    "home",
    "import_cancel",
    "import_confirm",
    "import_detail",
    "import_start",
    "logout",
    "me",
    "me_access",
    "me_data",
    "me_erase",
    "me_export",
    "me_leave",
    "me_open",
    "network_admin_only",
    "otp_setup",
    "otp_verify",
    "participants_initial",
    "referral_create",
    "referral_detail",
    "referral_list",
    "referral_notifications",
    "render_session_form",
    "resident_carnet",
    "resident_create",
    "resident_erase",
    "resident_export",
    "resident_journey",
    "resident_link_revoke",
    "resident_link_send",
    "resident_links",
    "resident_list",
    "resident_merge",
    "resident_search",
    "resident_update",
    "session_create",
    "session_delete",
    "session_forms",
    "session_initial",
    "session_list",
    "session_update",
    "visible_job",
    "visible_resident",
]
