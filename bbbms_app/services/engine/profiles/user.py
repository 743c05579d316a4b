"""User: the sign-in accounts. Disabled instead of deleted; made through services.accounts (the
rights rule, argon2id, a password the person must replace); an import hands out one-time passwords."""

import secrets

from bbbms_app.i18n import LANGUAGES, t
from bbbms_app.models import User
from bbbms_app.models.accounts import ROLES, UI_LANGUAGES
from bbbms_app.services.engine.profile import Profile, reference_fold
from bbbms_app.services.engine.spec import FieldSpec

SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a paper slip


class UserProfile(Profile):
    model = User
    name = "user"
    route = "/users"
    title_key = "nav.users"
    item_key = "admin.user"
    icon = "key-round"
    read = "user.read"
    write = "user.write"
    columns = ("username", "full_name", "role", "is_active", "last_login_at")
    form = (
        ("admin.section.account", ("username", "full_name", "role", "language", "password")),
        ("admin.section.links", ("staff_id", "pupil_id", "guardian_id")),
    )
    create_only = ("password",)
    fixed_after_create = ("username",)
    choices = {"role": ("role", ROLES), "language": ("lang", UI_LANGUAGES)}
    overrides = {
        "username": {"pattern": r"[a-z0-9._\-]{3,80}", "pattern_key": "admin.error.username", "lowercase": True},
        "full_name": {"required": True},
    }
    virtual = (FieldSpec("password", "login.password", "password", virtual=True, required=True),)
    # No password column: new accounts get a one-time password on the credentials sheet.
    import_columns = ("username", "full_name", "role", "language", "staff_id", "pupil_id", "guardian_id")
    natural_key = ("username",)
    filters = ("role",)
    order = ("username",)
    soft_delete = "is_active"
    hide_on_phone = ("full_name", "last_login_at")
    personal = True
    # An account of the operator has no school; one made in a school belongs to it.
    school_scoped = False
    stamps_school = True
    menu = "sidebar"
    menu_order = 70
    search_parts = ("username", "full_name")
    import_credentials = True

    def label(self, row, lang):
        return row.username

    def check_save(self, session, principal, record_id, values):
        from bbbms_app.services import rights

        if "role" in values:
            key = rights.role_assignment_refusal(session, principal, record_id, str(values["role"]))
            if key is not None:
                from bbbms_app.services.engine.hooks import FieldError

                raise FieldError("role", key)

    def insert(self, session, principal, data, values):
        return create_account(session, principal, data, str(values.get("password", "")))

    def delete_refusal(self, session, principal, row, today):
        from bbbms_app.services import accounts

        if principal is not None and row.id == principal.user_id:
            return "admin.error.own_account", {}
        key = accounts.action_refusal(principal, row)  # no one disables an account at or above his role
        return (key, {}) if key is not None else None

    def hold_changes(self, session, principal, row, changes):
        # A link to a person or a deputy-level role waits for the director (services.accounts).
        from bbbms_app.services import accounts
        from bbbms_app.services.engine.writes import RecordInvalid

        try:
            return accounts.hold_for_approval(session, principal, row, changes)
        except accounts.AccountError as exc:
            raise RecordInvalid({str(exc.params.get("field", "role")): (exc.key, {})}) from exc

    def after_delete(self, session, row):
        from bbbms_app.services import accounts

        accounts.revoke_all(session, row.id)

    def restore_refusal(self, session, principal, row):
        from bbbms_app.services import rights

        if principal is None:
            return None
        refusal = rights.role_assignment_refusal(session, principal, row.id, row.role)
        if refusal is not None:
            return ("role", refusal)
        from bbbms_app.services import accounts

        key = accounts.action_refusal(principal, row)
        return ("role", key) if key is not None else None

    def reference_names(self, row):
        return [row.username]

    def refuse_header(self, text):
        # Passwords (or their hashes) are never imported: new accounts get a one-time password.
        folded = reference_fold(str(text))
        words = {reference_fold(t("login.password", lang)) for lang in LANGUAGES}
        if any(w in folded for w in (*words, "password", "hash", "пароль", "сырсөз")):
            return "import.users.no_passwords"
        return None

    def create_imported(self, session, principal, creates, result, report, dry_run):
        """New accounts, each through accounts.create_user (the rights check again, argon2id, the
        audit event) with its own one-time password, which goes only into result.credentials."""
        if dry_run:
            # Every check has run (the role rule too); making the accounts would only hash
            # passwords nobody sees (~0.1 s each): counted, not made.
            result.created = len(creates)
            return []
        from bbbms_app.services.engine.writes import RecordInvalid

        made = []
        for row, data, _values in creates:
            password = one_time_password()
            try:
                user = create_account(session, principal, data, password)
            except RecordInvalid as exc:
                for name, (key, params) in exc.errors.items():
                    report(row, name, key, **params)
                continue
            result.created += 1
            result.credentials.append((user.username, user.full_name, user.role, password))
            made.append((user.id, row))
        return made


def one_time_password() -> str:
    """A random password to hand out on a slip: 3 groups of 4 (xxxx-xxxx-xxxx, ~62 bits)."""
    return "-".join("".join(secrets.choice(SLIP_ALPHABET) for _ in range(4)) for _ in range(3))


def create_account(session, principal, data: dict, password: str):
    """A checked user row (writes.check_create) made into an account with `password`; RecordInvalid
    names the field a refusal is about (a role he may not grant, a weak password)."""
    from bbbms_app.services import accounts, passwords
    from bbbms_app.services.engine.writes import RecordInvalid

    try:
        return accounts.create_user(
            session,
            data["username"],
            data["role"],
            password,
            school_id=data.get("school_id"),
            full_name=data.get("full_name", ""),
            staff_id=data.get("staff_id"),
            pupil_id=data.get("pupil_id"),
            guardian_id=data.get("guardian_id"),
            language=data.get("language", "ky"),
            actor=principal,
            must_change_password=True,  # chosen by the administrator or an import: the user sets his own
        )
    except passwords.PasswordRejected as exc:
        raise RecordInvalid({"password": (exc.key, dict(exc.params))}) from exc
    except accounts.AccountError as exc:
        raise RecordInvalid({str(exc.params.get("field", "role")): (exc.key, {})}) from exc
