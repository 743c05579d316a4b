"""The integration API's messages (issue 19): the `api-client` command line, the API's refusals
of a malformed request, and the audit trail's words for API clients."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str, str]] = {
    # python -m bbbms_app api-client …
    "api.client.created": (
        "API кардары катталды: {name} (мектеп {school}), уруксаттары: {scopes}",
        "API-клиент зарегистрирован: {name} (школа {school}), права: {scopes}",
        "API client registered: {name} (school {school}), scopes: {scopes}",
    ),
    "api.client.id_line": (
        "Номери: {id}\nclient_id: {client_id}",
        "Номер: {id}\nclient_id: {client_id}",
        "Number: {id}\nclient_id: {client_id}",
    ),
    "api.client.secret_line": (
        "client_secret: {secret}\nБул сыр сөз азыр бир гана жолу көрсөтүлөт: аны кардар системага "
        "дароо киргизиңиз. Жоголсо, кардарды өчүрүп, жаңысын каттаңыз.",
        "client_secret: {secret}\nСекрет показан только сейчас, один раз: сразу внесите его в "
        "систему-клиент. Если он утерян, отзовите клиента и зарегистрируйте нового.",
        "client_secret: {secret}\nThe secret is shown this once only: put it into the client system "
        "now. If it is lost, revoke the client and register a new one.",
    ),
    "api.client.revoked": (
        "API кардары өчүрүлдү: {name} (номери {id}); анын бардык токендери жараксыз.",
        "API-клиент отозван: {name} (номер {id}); все его токены недействительны.",
        "API client revoked: {name} (number {id}); all its tokens are void.",
    ),
    "api.client.list_line": (
        "{id}  {client_id}  мектеп {school}  {scopes}  {state}  {name}",
        "{id}  {client_id}  школа {school}  {scopes}  {state}  {name}",
        "{id}  {client_id}  school {school}  {scopes}  {state}  {name}",
    ),
    "api.client.active": ("иштейт", "действует", "active"),
    "api.client.inactive": ("өчүрүлгөн", "отозван", "revoked"),
    "api.client.none": ("Катталган API кардарлары жок.", "Зарегистрированных API-клиентов нет.", "No API clients."),
    "api.client.bad_name": (
        "Кардардын аталышы бош болбошу керек жана 120 белгиден ашпашы керек.",
        "Название клиента не может быть пустым и длиннее 120 знаков.",
        "The client's name must not be empty or longer than 120 characters.",
    ),
    "api.client.bad_scopes": (
        "Белгисиз же берилбеген уруксат: {scopes}. Мүмкүн болгондору: {known}.",
        "Неизвестные или не заданные права: {scopes}. Возможные: {known}.",
        "Unknown or missing scopes: {scopes}. Known scopes: {known}.",
    ),
    "api.client.no_such": (
        "{id} номерлүү API кардары жок.",
        "API-клиента с номером {id} нет.",
        "There is no API client {id}.",
    ),
    # The API's answers to a malformed request (error_description, in the Accept-Language)
    "api.error.bad_integer": (
        "«{field}» параметри терс эмес бүтүн сан болушу керек.",
        "Параметр «{field}» должен быть целым неотрицательным числом.",
        "The parameter “{field}” must be a whole number, not negative.",
    ),
    "api.error.bad_limit": (
        "«{field}» параметри 1 менен {max} ортосундагы сан болушу керек.",
        "Параметр «{field}» должен быть от 1 до {max}.",
        "The parameter “{field}” must be between 1 and {max}.",
    ),
    "api.error.bad_timestamp": (
        "«{field}» параметри ISO 8601 убакыт болушу керек, мисалы 2025-09-01T08:00:00Z.",
        "Параметр «{field}» должен быть моментом времени ISO 8601, например 2025-09-01T08:00:00Z.",
        "The parameter “{field}” must be an ISO 8601 instant, e.g. 2025-09-01T08:00:00Z.",
    ),
    # The audit trail's words
    "audit.entity.api_client": ("API кардары", "API-клиент", "API client"),
    "audit.entity.api_classes": ("API: класстар", "API: классы", "API: classes"),
    "audit.entity.api_pupils": ("API: окуучулар", "API: ученики", "API: pupils"),
    "audit.entity.api_staff": ("API: кызматкерлер", "API: сотрудники", "API: staff"),
    "audit.entity.api_subjects": ("API: предметтер", "API: предметы", "API: subjects"),
    "audit.entity.api_terms": ("API: чейректер жана жарым жылдар", "API: четверти и полугодия", "API: terms"),
    "audit.entity.api_marks": ("API: баалар", "API: оценки", "API: marks"),
    "rights.action.view": ("Көрүү", "Просмотр", "View"),
    "rights.action.api_token": ("API токени берилди", "Выдан API-токен", "API token issued"),
    "rights.action.revoke": ("Жокко чыгаруу", "Отзыв", "Revoke"),
}
