# ruff: noqa: RUF001 - the typography is the language's own
"""German (Deutsch)."""

from __future__ import annotations

from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "Chat herunterladen · chatdump",
    "title": "Meeting-Chat",
    "button.download": "Chat herunterladen",
    "button.retry": "Erneut versuchen",
    "button.cancel": "Abbrechen",
    "button.save": "Datei speichern",
    "format.label": "Format",
    "format.csv": "CSV (unverändert)",
    "format.excel": "CSV für Excel",
    "format.jsonl": "JSON Lines",
    "format.txt": "Mitschrift (.txt)",
    "format_name.csv": "CSV (Original)",
    "format_name.excel": "CSV für Excel",
    "format_name.jsonl": "JSON Lines",
    "format_name.txt": "Mitschrift",
    "preview.label": "Vorschau der ersten Nachrichten",
    "status.loading": "Wird geladen …",
    "status.ready": "Bereit.",
    "status.waiting_for_grant": "Warte auf die Freigabe durch die Seite …",
    "status.downloading": "Chat wird heruntergeladen …",
    "status.converting": "Wird in {format} umgewandelt …",
    "status.cancelled": "Abgebrochen – es wurde nichts gespeichert.",
    "status.save_ready": "{filename} ist fertig ({size}). Klicken Sie auf „Datei speichern“, um sie zu behalten.",
    "status.saved": "{filename} gespeichert ({size}).",
    "status.handed_off": "Ihr Browser lädt {filename} ({size}) herunter; den Fortschritt zeigt seine Download-Liste.",
    "progress.received": "{received} empfangen",
    "progress.of": "{received} von {total} ({percent})",
    "summary.summarising": "Zusammenfassung wird erstellt …",
    "summary.too_big": "{size} – für so große Dateien gibt es keine Zusammenfassung.",
    "summary.unreadable": "Unverändert gespeichert, aber die Datei ist kein lesbarer Chat-Export.",
    "summary.messages": {"one": "{count} Nachricht", "other": "{count} Nachrichten"},
    "summary.participants": {"one": "{count} Person", "other": "{count} Personen"},
    "summary.line": "{messages} von {participants}.",
    "summary.line_dated": "{messages} von {participants}, {range}.",
    "embed.open_new_tab": "In neuem Tab öffnen",
    "embed.sandbox_blocks": (
        "Der Rahmen dieser Seite blockiert Downloads: Die Seite, die chatdump einbettet, muss "
        '{missing} zum sandbox-Attribut des iframes hinzufügen (sandbox="{needed}").'
    ),
    "embed.sandbox_fallback": "Öffnen Sie den Download bis dahin in einem neuen Tab.",
    "embed.after_save": (
        "Keine Datei angekommen? Dieser Rahmen ist eine Sandbox: Die Seite, die chatdump "
        'einbettet, muss Downloads erlauben (sandbox="{needed}").'
    ),
    "embed.popup_blocked": (
        "Der Browser hat den neuen Tab blockiert: Die Seite, die chatdump einbettet, muss "
        "{flags} zur Sandbox des iframes hinzufügen."
    ),
    "error.no_grant_passed": (
        "Die Seite, die chatdump einbettet, hat keine Freigabe übergeben: Sie muss sie in den "
        "Link schreiben (#session=…&grant=…) oder eine set-grant-Nachricht senden."
    ),
    "error.not_started": "Das Widget konnte nicht starten.",
    "error.unexpected": "Der Download ist unerwartet fehlgeschlagen; es wurde nichts gespeichert.",
    "error.generic": "Der Download ist fehlgeschlagen; es wurde nichts gespeichert. Versuchen Sie es gleich noch einmal.",
    "error.missing_session": "Diesem Link fehlt die Sitzung: Bitten Sie die Seite, von der Sie kommen, um einen neuen Link.",
    "error.invalid_session_id": "Die Sitzungs-ID in diesem Link ist ungültig.",
    "error.missing_grant": "Diesem Link fehlt die Freigabe: Bitten Sie die Seite, von der Sie kommen, um einen Download-Link.",
    "error.invalid_grant": "Die Freigabe in diesem Link ist ungültig: Fordern Sie einen neuen Download-Link an.",
    "error.grant_expired": "Dieser Download-Link ist abgelaufen: Fordern Sie einen neuen an.",
    "error.grant_wrong_session": "Die Freigabe in diesem Link gilt für eine andere Sitzung.",
    "error.forbidden": "Dieser Link erlaubt es nicht, diesen Chat herunterzuladen.",
    "error.unknown_format": "Dieser Link verlangt ein Format, das es nicht gibt.",
    "error.not_found": "Dieses Meeting gibt es nicht, oder es hat keinen Chat.",
    "error.no_chat": "Zu diesem Meeting gibt es keinen Chat zum Herunterladen.",
    "error.too_many_requests": "Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es dann erneut.",
    "error.fresh_rate_limited": "Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es dann erneut.",
    "error.network_error": "Der Server ist nicht erreichbar; es wurde nichts gespeichert. Prüfen Sie die Verbindung und versuchen Sie es erneut.",
    "error.interrupted": "Der Download wurde unterbrochen, bevor die ganze Datei da war; es wurde nichts gespeichert.",
    "error.truncated": "Die Datei kam unvollständig an; es wurde nichts gespeichert.",
    "error.changed": "Der Chat hat sich im Speicher geändert, während er heruntergeladen wurde; es wurde nichts gespeichert. Versuchen Sie es erneut.",
    "error.too_large": "Dieser Chat ist zu groß, um ihn in diesem Browser umzuwandeln; es wurde nichts gespeichert. Wählen Sie „CSV (unverändert)“ oder wandeln Sie ihn mit der Kommandozeile von chatdump um.",
    "error.upstream_error": "Die Chat-Plattform hat unbrauchbar geantwortet. Versuchen Sie es später noch einmal.",
    "error.upstream_unavailable": "Die Chat-Plattform ist gerade nicht erreichbar. Versuchen Sie es später noch einmal.",
    "error.upstream_timeout": "Die Chat-Plattform hat zu lange gebraucht. Versuchen Sie es erneut.",
    "error.storage_error": "Der Speicher des Chats hat einen Fehler gemeldet; es wurde nichts gespeichert. Versuchen Sie es erneut.",
}

LANGUAGE = Language("de", "Deutsch", "ltr", MESSAGES)
