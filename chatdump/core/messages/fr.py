# ruff: noqa: RUF001 - the typography is the language's own
"""French (français). Typography: a narrow no-break space (U+202F) before ; : ! ? and inside « »."""

from __future__ import annotations

from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "Télécharger le chat · chatdump",
    "title": "Chat de la réunion",
    "button.download": "Télécharger le chat",
    "button.retry": "Réessayer",
    "button.cancel": "Annuler",
    "button.save": "Enregistrer le fichier",
    "format.label": "Format",
    "format.csv": "CSV (tel quel)",
    "format.excel": "CSV pour Excel",
    "format.jsonl": "JSON Lines",
    "format.txt": "Transcription (.txt)",
    "format_name.csv": "CSV (original)",
    "format_name.excel": "CSV pour Excel",
    "format_name.jsonl": "JSON Lines",
    "format_name.txt": "transcription",
    "preview.label": "Aperçu des premiers messages",
    "status.loading": "Chargement…",
    "status.ready": "Prêt.",
    "status.waiting_for_grant": "En attente de l’autorisation transmise par la page…",
    "status.downloading": "Téléchargement du chat…",
    "status.converting": "Conversion en {format}…",
    "status.cancelled": "Annulé\u202f; rien n’a été enregistré.",
    "status.save_ready": "{filename} est prêt ({size}). Cliquez sur «\u202fEnregistrer le fichier\u202f» pour le conserver.",
    "status.saved": "{filename} enregistré ({size}).",
    "status.handed_off": "Votre navigateur télécharge {filename} ({size})\u202f; sa liste de téléchargements en indique la progression.",
    "progress.received": "{received} reçus",
    "progress.of": "{received} sur {total} ({percent})",
    "summary.summarising": "Résumé en cours…",
    "summary.too_big": "{size}\u202f: pas de résumé pour un fichier de cette taille.",
    "summary.unreadable": "Enregistré tel quel, mais ce n’est pas un export de chat lisible.",
    "summary.messages": {"one": "{count} message", "other": "{count} messages"},
    "summary.participants": {"one": "{count} participant", "other": "{count} participants"},
    "summary.line": "{messages} de {participants}.",
    "summary.line_dated": "{messages} de {participants}, {range}.",
    "embed.open_new_tab": "Ouvrir dans un nouvel onglet",
    "embed.sandbox_blocks": (
        "Le cadre de cette page bloque les téléchargements\u202f: la page qui intègre chatdump "
        'doit ajouter {missing} à l’attribut sandbox de l’iframe (sandbox="{needed}").'
    ),
    "embed.sandbox_fallback": "En attendant, ouvrez le téléchargement dans un nouvel onglet.",
    "embed.after_save": (
        "Aucun fichier\u202f? Ce cadre est en bac à sable\u202f: la page qui intègre chatdump doit "
        'autoriser les téléchargements (sandbox="{needed}").'
    ),
    "embed.popup_blocked": (
        "Le navigateur a bloqué le nouvel onglet\u202f: la page qui intègre chatdump doit ajouter "
        "{flags} au sandbox de l’iframe."
    ),
    "error.no_grant_passed": (
        "La page qui intègre chatdump n’a transmis aucune autorisation\u202f: elle doit la mettre "
        "dans le lien (#session=…&grant=…) ou envoyer un message set-grant."
    ),
    "error.not_started": "Le widget n’a pas pu démarrer.",
    "error.unexpected": "Le téléchargement a échoué de façon inattendue\u202f; rien n’a été enregistré.",
    "error.generic": "Le téléchargement a échoué\u202f; rien n’a été enregistré. Réessayez dans un instant.",
    "error.missing_session": "Il manque la session dans ce lien\u202f: demandez un nouveau lien à la page qui vous a envoyé ici.",
    "error.invalid_session_id": "L’identifiant de session de ce lien n’est pas valide.",
    "error.missing_grant": "Il manque l’autorisation dans ce lien\u202f: demandez un lien de téléchargement à la page qui vous a envoyé ici.",
    "error.invalid_grant": "L’autorisation de ce lien n’est pas valide\u202f: demandez un nouveau lien de téléchargement.",
    "error.grant_expired": "Ce lien de téléchargement a expiré\u202f: demandez-en un nouveau.",
    "error.grant_wrong_session": "L’autorisation de ce lien concerne une autre session.",
    "error.forbidden": "Ce lien ne permet pas de télécharger ce chat.",
    "error.unknown_format": "Ce lien demande un format qui n’existe pas.",
    "error.not_found": "Cette réunion n’existe pas, ou elle n’a pas de chat.",
    "error.no_chat": "Cette réunion n’a aucun chat à télécharger.",
    "error.too_many_requests": "Trop de tentatives\u202f; patientez un instant, puis réessayez.",
    "error.fresh_rate_limited": "Trop de tentatives\u202f; patientez un instant, puis réessayez.",
    "error.network_error": "Impossible de joindre le serveur\u202f; rien n’a été enregistré. Vérifiez la connexion et réessayez.",
    "error.interrupted": "Le téléchargement a été interrompu avant la fin du fichier\u202f; rien n’a été enregistré.",
    "error.truncated": "Le fichier est arrivé incomplet\u202f; rien n’a été enregistré.",
    "error.changed": "Le chat a changé dans le stockage pendant son téléchargement\u202f; rien n’a été enregistré. Réessayez.",
    "error.too_large": "Ce chat est trop volumineux pour être converti dans ce navigateur\u202f; rien n’a été enregistré. Choisissez «\u202fCSV (tel quel)\u202f» ou convertissez-le avec la ligne de commande de chatdump.",
    "error.upstream_error": "La plateforme de chat a renvoyé une réponse inutilisable\u202f; réessayez plus tard.",
    "error.upstream_unavailable": "La plateforme de chat est indisponible pour le moment\u202f; réessayez plus tard.",
    "error.upstream_timeout": "La plateforme de chat a mis trop de temps à répondre\u202f; réessayez.",
    "error.storage_error": "Le stockage du chat a renvoyé une erreur\u202f; rien n’a été enregistré. Réessayez.",
}

LANGUAGE = Language("fr", "Français", "ltr", MESSAGES)
