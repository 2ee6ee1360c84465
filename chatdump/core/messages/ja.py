# ruff: noqa: RUF001 - the typography is the language's own
"""Japanese (日本語). Japanese has one plural form: only ``other``."""

from __future__ import annotations

from chatdump.core.messages.base import Language, Message

MESSAGES: dict[str, Message] = {
    "page.title": "チャットをダウンロード · chatdump",
    "title": "ミーティングのチャット",
    "button.download": "チャットをダウンロード",
    "button.retry": "再試行",
    "button.cancel": "キャンセル",
    "button.save": "ファイルを保存",
    "format.label": "形式",
    "format.csv": "CSV（保存されたまま）",
    "format.excel": "Excel 用 CSV",
    "format.jsonl": "JSON Lines",
    "format.txt": "テキスト（.txt）",
    "format_name.csv": "CSV（元のまま）",
    "format_name.excel": "Excel 用 CSV",
    "format_name.jsonl": "JSON Lines",
    "format_name.txt": "テキスト",
    "preview.label": "最初のメッセージをプレビュー",
    "status.loading": "読み込み中…",
    "status.ready": "準備ができました。",
    "status.waiting_for_grant": "埋め込み元のページから許可が渡されるのを待っています…",
    "status.downloading": "チャットをダウンロードしています…",
    "status.converting": "{format} に変換しています…",
    "status.cancelled": "キャンセルしました。何も保存されていません。",
    "status.save_ready": "{filename} の準備ができました（{size}）。「ファイルを保存」を押して保存してください。",
    "status.saved": "{filename} を保存しました（{size}）。",
    "status.handed_off": "ブラウザーが {filename}（{size}）をダウンロードしています。進行状況はブラウザーのダウンロード一覧で確認できます。",
    "progress.received": "{received} 受信",
    "progress.of": "{received} / {total}（{percent}）",
    "summary.summarising": "概要を作成しています…",
    "summary.too_big": "{size}。このサイズのファイルには概要を表示しません。",
    "summary.unreadable": "そのまま保存しましたが、読み取れるチャットのデータではありません。",
    "summary.messages": {"other": "メッセージ {count} 件"},
    "summary.participants": {"other": "参加者 {count} 人"},
    "summary.line": "{messages}（{participants}）。",
    "summary.line_dated": "{messages}（{participants}）、{range}。",
    "embed.open_new_tab": "新しいタブで開く",
    "embed.sandbox_blocks": (
        "このページのフレームはダウンロードをブロックしています。chatdump を埋め込んでいるページは、"
        'iframe の sandbox 属性に {missing} を追加する必要があります（sandbox="{needed}"）。'
    ),
    "embed.sandbox_fallback": "それまでは、新しいタブでダウンロードしてください。",
    "embed.after_save": (
        "ファイルが届きませんか？このフレームはサンドボックス化されています。chatdump を埋め込んでいる"
        'ページは、ダウンロードを許可する必要があります（sandbox="{needed}"）。'
    ),
    "embed.popup_blocked": (
        "ブラウザーが新しいタブをブロックしました。chatdump を埋め込んでいるページは、iframe の "
        "sandbox に {flags} を追加する必要があります。"
    ),
    "error.no_grant_passed": (
        "chatdump を埋め込んでいるページから許可が渡されませんでした。リンクに含める"
        "（#session=…&grant=…）か、set-grant メッセージを送る必要があります。"
    ),
    "error.not_started": "ウィジェットを起動できませんでした。",
    "error.unexpected": "予期しないエラーでダウンロードに失敗しました。何も保存されていません。",
    "error.generic": "ダウンロードに失敗しました。何も保存されていません。しばらくしてからもう一度お試しください。",
    "error.missing_session": "このリンクにはセッションが含まれていません。リンクを送ってきたページで新しいリンクを取得してください。",
    "error.invalid_session_id": "このリンクのセッション ID が正しくありません。",
    "error.missing_grant": "このリンクには許可が含まれていません。リンクを送ってきたページでダウンロード用のリンクを取得してください。",
    "error.invalid_grant": "このリンクの許可が無効です。新しいダウンロード用リンクを取得してください。",
    "error.grant_expired": "このダウンロード用リンクは有効期限が切れています。新しいリンクを取得してください。",
    "error.grant_wrong_session": "このリンクの許可は別のセッション用です。",
    "error.forbidden": "このリンクでは、このチャットをダウンロードできません。",
    "error.unknown_format": "このリンクは存在しない形式を指定しています。",
    "error.not_found": "このミーティングは存在しないか、チャットがありません。",
    "error.no_chat": "このミーティングにはダウンロードできるチャットがありません。",
    "error.too_many_requests": "試行回数が多すぎます。少し待ってからもう一度お試しください。",
    "error.fresh_rate_limited": "試行回数が多すぎます。少し待ってからもう一度お試しください。",
    "error.network_error": "サーバーに接続できません。何も保存されていません。接続を確認して、もう一度お試しください。",
    "error.interrupted": "ファイル全体を受信する前にダウンロードが中断されました。何も保存されていません。",
    "error.truncated": "ファイルが不完全な状態で届きました。何も保存されていません。",
    "error.changed": "ダウンロード中に保存先のチャットが変更されました。何も保存されていません。もう一度お試しください。",
    "error.too_large": "このチャットは大きすぎて、このブラウザーでは変換できません。何も保存されていません。「CSV（保存されたまま）」を選ぶか、chatdump のコマンドラインで変換してください。",
    "error.upstream_error": "チャットサービスから使用できない応答が返りました。後でもう一度お試しください。",
    "error.upstream_unavailable": "チャットサービスは現在利用できません。後でもう一度お試しください。",
    "error.upstream_timeout": "チャットサービスの応答に時間がかかりすぎました。もう一度お試しください。",
    "error.storage_error": "チャットの保存先でエラーが発生しました。何も保存されていません。もう一度お試しください。",
}

LANGUAGE = Language("ja", "日本語", "ltr", MESSAGES)
