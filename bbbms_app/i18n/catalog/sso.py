"""Messages of single sign-on (OpenID Connect): the sign-in buttons, the callback page, refusals."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    "sso.or": ("же", "или", "or"),
    "sso.sign_in_with": ("{name} аркылуу кирүү", "Войти через {name}", "Sign in with {name}"),
    "sso.signing_in": ("Кирүү аяктап жатат…", "Завершаем вход…", "Finishing the sign-in…"),
    "sso.back": ("Кирүү бетине кайтуу", "Вернуться ко входу", "Back to sign-in"),
    "sso.failed": (
        "Кирүү ишке ашкан жок. Кайра баштап көрүңүз.",
        "Войти не удалось. Начните вход заново.",
        "The sign-in did not succeed. Please start again.",
    ),
    "sso.expired": (
        "Кирүүнүн мөөнөтү өтүп кетти. Кайра баштаңыз.",
        "Время на вход истекло. Начните заново.",
        "The sign-in took too long. Please start again.",
    ),
    "sso.cancelled": (
        "{name} кирүүнү ырастаган жок.",
        "{name} не подтвердил вход.",
        "{name} did not confirm the sign-in.",
    ),
    "sso.unavailable": (
        "{name} азыр жооп бербей жатат. Бир аздан кийин кайталаңыз же сырсөз менен кириңиз.",
        "{name} сейчас не отвечает. Повторите позже или войдите по паролю.",
        "{name} is not answering now. Try again later or sign in with your password.",
    ),
    "sso.foreign": (
        "Бул {name} аккаунту мектепке таандык эмес. Мектептин аккаунту менен кириңиз.",
        "Эта учётная запись {name} не принадлежит школе. Войдите со школьной учётной записью.",
        "This {name} account does not belong to the school. Sign in with your school account.",
    ),
    "sso.unlinked": (
        "Бул аккаунтка БББМСтин колдонуучусу байланыштырылган эмес. Администраторго бул кодду бериңиз: {subject}",
        "К этой учётной записи не привязан пользователь БББМС. Передайте администратору этот код: {subject}",
        "No BBBMS account is linked to this sign-in. Give the administrator this code: {subject}",
    ),
    "sso.already_linked": (
        "Бул аккаунт мурунтан эле {username} колдонуучусуна байланыштырылган",
        "Эта учётная запись уже привязана к пользователю {username}",
        "This sign-in is already linked to the user {username}",
    ),
}
