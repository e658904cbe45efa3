"""Scope registry entries of the training sign-in pages (issue #12 §3); merged into
tests/scope_registry.py at import. `training:session_qr` and
`training:session_qr_regenerate` are object routes on `training.TrainingSession`
(its foreign object is registered with the sessions' entries); their views name the
model in `queryset`, so nothing is needed here for them but the POST-only answer."""

from __future__ import annotations

EXEMPT_ROUTES: dict[str, str] = {
    "training_signin:sign_in": "培训扫码签到页：凭本期培训的签到令牌匿名访问（无 pk），只显示该期的名称、时间、地点；"
    "未知或已重新生成的令牌即 404（training/tests/test_signin_pages.py）",
    "training_signin:sign_out": "培训扫码签退页：同签到页，凭令牌匿名访问，未知或已更换的令牌即 404",
}

OWNER_GET: dict[str, tuple[set[int], str]] = {
    "training:session_qr_regenerate": ({405}, "只接受 POST（重新生成签到链接）"),
}
