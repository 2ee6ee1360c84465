"""Arabic (العربية): right to left. Plural forms follow CLDR's six categories; the dual and the
singular are written as words, as Arabic does, not as "1"/"2" before the noun."""

from __future__ import annotations

from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "تنزيل الدردشة · chatdump",
    "title": "دردشة الاجتماع",
    "button.download": "تنزيل الدردشة",
    "button.retry": "إعادة المحاولة",
    "button.cancel": "إلغاء",
    "button.save": "حفظ الملف",
    "format.label": "الصيغة",
    "format.csv": "CSV (كما هو مخزَّن)",
    "format.excel": "CSV لبرنامج Excel",
    "format.jsonl": "JSON Lines",
    "format.txt": "نص المحادثة (\u2066.txt\u2069)",  # isolated: else it reads "(txt.)"
    "format_name.csv": "CSV (الأصلي)",
    "format_name.excel": "CSV لبرنامج Excel",
    "format_name.jsonl": "JSON Lines",
    "format_name.txt": "نص المحادثة",
    "preview.label": "معاينة الرسائل الأولى",
    "status.loading": "جارٍ التحميل…",
    "status.ready": "جاهز.",
    "status.waiting_for_grant": "في انتظار أن تمرّر الصفحة إذن التنزيل…",
    "status.downloading": "جارٍ تنزيل الدردشة…",
    "status.converting": "جارٍ التحويل إلى {format}…",
    "status.cancelled": "أُلغي التنزيل، ولم يُحفظ أي شيء.",
    "status.save_ready": "الملف {filename} جاهز ({size}). اضغط «حفظ الملف» للاحتفاظ به.",
    "status.saved": "حُفظ الملف {filename} ({size}).",
    "status.handed_off": "يُنزّل متصفحك الملف {filename} ({size})، ويمكنك متابعة التقدّم في قائمة التنزيلات.",
    "progress.received": "تم استلام {received}",
    "progress.of": "{received} من {total} ({percent})",
    "summary.summarising": "جارٍ إعداد الملخّص…",
    "summary.too_big": "{size}؛ لا يتوفر ملخّص لملف بهذا الحجم.",
    "summary.unreadable": "حُفظ الملف كما هو، لكنه ليس تصديرًا مقروءًا لدردشة.",
    "summary.messages": {
        "zero": "لا رسائل",
        "one": "رسالة واحدة",
        "two": "رسالتان",
        "few": "{count} رسائل",
        "many": "{count} رسالة",
        "other": "{count} رسالة",
    },
    "summary.participants": {
        "zero": "لا أحد",
        "one": "مشارك واحد",
        "two": "مشاركَين",
        "few": "{count} مشاركين",
        "many": "{count} مشاركًا",
        "other": "{count} مشارك",
    },
    "summary.line": "{messages} من {participants}.",
    "summary.line_dated": "{messages} من {participants}، {range}.",
    "embed.open_new_tab": "فتح في علامة تبويب جديدة",
    "embed.sandbox_blocks": (
        "إطار هذه الصفحة يمنع التنزيل: على الصفحة التي تضمّن chatdump إضافة {missing} "
        'إلى سمة sandbox في الإطار (sandbox="{needed}").'
    ),
    "embed.sandbox_fallback": "وإلى ذلك الحين، افتح التنزيل في علامة تبويب جديدة.",
    "embed.after_save": (
        "لم يصل الملف؟ هذا الإطار معزول (sandbox): على الصفحة التي تضمّن chatdump السماح "
        'بالتنزيل (sandbox="{needed}").'
    ),
    "embed.popup_blocked": (
        "منع المتصفح فتح علامة التبويب الجديدة: على الصفحة التي تضمّن chatdump إضافة {flags} "
        "إلى سمة sandbox في الإطار."
    ),
    "error.no_grant_passed": (
        "لم تمرّر الصفحة التي تضمّن chatdump أي إذن تنزيل: عليها أن تضعه في الرابط "
        "(#session=…&grant=…) أو أن ترسل رسالة set-grant."
    ),
    "error.not_started": "تعذّر تشغيل الأداة.",
    "error.unexpected": "فشل التنزيل بشكل غير متوقع، ولم يُحفظ أي شيء.",
    "error.generic": "فشل التنزيل، ولم يُحفظ أي شيء. أعد المحاولة بعد قليل.",
    "error.missing_session": "هذا الرابط لا يتضمن الجلسة: اطلب رابطًا جديدًا من الصفحة التي أرسلتك إلى هنا.",
    "error.invalid_session_id": "معرّف الجلسة في هذا الرابط غير صالح.",
    "error.missing_grant": "هذا الرابط لا يتضمن إذن التنزيل: اطلب رابط تنزيل من الصفحة التي أرسلتك إلى هنا.",
    "error.invalid_grant": "إذن التنزيل في هذا الرابط غير صالح: اطلب رابط تنزيل جديدًا.",
    "error.grant_expired": "انتهت صلاحية رابط التنزيل هذا: اطلب رابطًا جديدًا.",
    "error.grant_wrong_session": "إذن التنزيل في هذا الرابط خاص بجلسة أخرى.",
    "error.forbidden": "هذا الرابط لا يسمح بتنزيل هذه الدردشة.",
    "error.unknown_format": "يطلب هذا الرابط صيغة غير موجودة.",
    "error.not_found": "هذا الاجتماع غير موجود، أو لا توجد له دردشة.",
    "error.no_chat": "لا توجد دردشة لهذا الاجتماع لتنزيلها.",
    "error.too_many_requests": "محاولات كثيرة جدًا؛ انتظر قليلًا ثم أعد المحاولة.",
    "error.fresh_rate_limited": "محاولات كثيرة جدًا؛ انتظر قليلًا ثم أعد المحاولة.",
    "error.network_error": "تعذّر الوصول إلى الخادم، ولم يُحفظ أي شيء. تحقّق من الاتصال وأعد المحاولة.",
    "error.interrupted": "انقطع التنزيل قبل وصول الملف كاملًا، ولم يُحفظ أي شيء.",
    "error.truncated": "وصل الملف ناقصًا، ولم يُحفظ أي شيء.",
    "error.changed": "تغيّرت الدردشة في المخزن أثناء تنزيلها، ولم يُحفظ أي شيء. أعد المحاولة.",
    "error.too_large": "هذه الدردشة أكبر من أن تُحوَّل في هذا المتصفح، ولم يُحفظ أي شيء. اختر «CSV (كما هو مخزَّن)» أو حوِّلها باستخدام سطر أوامر chatdump.",
    "error.upstream_error": "أرسلت منصة الدردشة ردًا لا يمكن استخدامه؛ أعد المحاولة لاحقًا.",
    "error.upstream_unavailable": "منصة الدردشة غير متاحة حاليًا؛ أعد المحاولة لاحقًا.",
    "error.upstream_timeout": "استغرقت منصة الدردشة وقتًا طويلًا للرد؛ أعد المحاولة.",
    "error.storage_error": "أبلغ مخزن الدردشة عن خطأ، ولم يُحفظ أي شيء. أعد المحاولة.",
}

LANGUAGE = Language("ar", "العربية", "rtl", MESSAGES)
