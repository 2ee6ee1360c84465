"""Spanish (español)."""

from __future__ import annotations

from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "Descargar el chat · chatdump",
    "title": "Chat de la reunión",
    "button.download": "Descargar el chat",
    "button.retry": "Reintentar",
    "button.cancel": "Cancelar",
    "button.save": "Guardar archivo",
    "format.label": "Formato",
    "format.csv": "CSV (tal cual)",
    "format.excel": "CSV para Excel",
    "format.jsonl": "JSON Lines",
    "format.txt": "Transcripción (.txt)",
    "format_name.csv": "CSV (original)",
    "format_name.excel": "CSV para Excel",
    "format_name.jsonl": "JSON Lines",
    "format_name.txt": "transcripción",
    "preview.label": "Vista previa de los primeros mensajes",
    "status.loading": "Cargando…",
    "status.ready": "Listo.",
    "status.waiting_for_grant": "Esperando a que la página envíe la autorización…",
    "status.downloading": "Descargando el chat…",
    "status.converting": "Convirtiendo a {format}…",
    "status.cancelled": "Cancelado; no se ha guardado nada.",
    "status.save_ready": "{filename} está listo ({size}). Pulsa «Guardar archivo» para conservarlo.",
    "status.saved": "Se ha guardado {filename} ({size}).",
    "status.handed_off": "Tu navegador está descargando {filename} ({size}); puedes seguir el progreso en su lista de descargas.",
    "progress.received": "{received} recibidos",
    "progress.of": "{received} de {total} ({percent})",
    "summary.summarising": "Generando el resumen…",
    "summary.too_big": "{size}; no hay resumen para archivos tan grandes.",
    "summary.unreadable": "Guardado tal cual, pero no es una exportación de chat legible.",
    "summary.messages": {"one": "{count} mensaje", "other": "{count} mensajes"},
    "summary.participants": {"one": "{count} participante", "other": "{count} participantes"},
    "summary.line": "{messages} de {participants}.",
    "summary.line_dated": "{messages} de {participants}, {range}.",
    "embed.open_new_tab": "Abrir en una pestaña nueva",
    "embed.sandbox_blocks": (
        "El marco de esta página bloquea las descargas: la página que inserta chatdump debe "
        'añadir {missing} al atributo sandbox del iframe (sandbox="{needed}").'
    ),
    "embed.sandbox_fallback": "Mientras tanto, abre la descarga en una pestaña nueva.",
    "embed.after_save": (
        "¿No ha llegado el archivo? Este marco está aislado (sandbox): la página que inserta "
        'chatdump debe permitir las descargas (sandbox="{needed}").'
    ),
    "embed.popup_blocked": (
        "El navegador ha bloqueado la pestaña nueva: la página que inserta chatdump debe añadir "
        "{flags} al sandbox del iframe."
    ),
    "error.no_grant_passed": (
        "La página que inserta chatdump no ha enviado ninguna autorización: debe incluirla en el "
        "enlace (#session=…&grant=…) o enviar un mensaje set-grant."
    ),
    "error.not_started": "El widget no se ha podido iniciar.",
    "error.unexpected": "La descarga ha fallado de forma inesperada; no se ha guardado nada.",
    "error.generic": "La descarga ha fallado; no se ha guardado nada. Vuelve a intentarlo en un momento.",
    "error.missing_session": "A este enlace le falta la sesión: pide un enlace nuevo a la página que te ha traído aquí.",
    "error.invalid_session_id": "El identificador de sesión de este enlace no es válido.",
    "error.missing_grant": "A este enlace le falta la autorización: pide un enlace de descarga a la página que te ha traído aquí.",
    "error.invalid_grant": "La autorización de este enlace no es válida: pide un enlace de descarga nuevo.",
    "error.grant_expired": "Este enlace de descarga ha caducado: pide uno nuevo.",
    "error.grant_wrong_session": "La autorización de este enlace es para otra sesión.",
    "error.forbidden": "Este enlace no permite descargar este chat.",
    "error.unknown_format": "Este enlace pide un formato que no existe.",
    "error.not_found": "Esta reunión no existe o no tiene chat.",
    "error.no_chat": "Esta reunión no tiene ningún chat que descargar.",
    "error.too_many_requests": "Demasiados intentos; espera un momento y vuelve a intentarlo.",
    "error.fresh_rate_limited": "Demasiados intentos; espera un momento y vuelve a intentarlo.",
    "error.network_error": "No se puede conectar con el servidor; no se ha guardado nada. Comprueba la conexión y vuelve a intentarlo.",
    "error.interrupted": "La descarga se ha interrumpido antes de recibir el archivo completo; no se ha guardado nada.",
    "error.truncated": "El archivo ha llegado incompleto; no se ha guardado nada.",
    "error.changed": "El chat ha cambiado en el almacenamiento mientras se descargaba; no se ha guardado nada. Vuelve a intentarlo.",
    "error.too_large": "Este chat es demasiado grande para convertirlo en este navegador; no se ha guardado nada. Elige «CSV (tal cual)» o conviértelo con la línea de comandos de chatdump.",
    "error.upstream_error": "La plataforma de chat ha dado una respuesta que no se puede usar; inténtalo más tarde.",
    "error.upstream_unavailable": "La plataforma de chat no está disponible ahora mismo; inténtalo más tarde.",
    "error.upstream_timeout": "La plataforma de chat ha tardado demasiado en responder; vuelve a intentarlo.",
    "error.storage_error": "El almacenamiento del chat ha devuelto un error; no se ha guardado nada. Vuelve a intentarlo.",
}

LANGUAGE = Language("es", "Español", "ltr", MESSAGES)
