"""Admin for API tokens (issue, revoke) and the export log (read-only).

Imported at the end of registry/admin.py.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from registry.api import tokens
from registry.models import ApiToken, ExportLog, User


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "expires_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = tokens.default_expiry


@admin.action(description="Revoke selected tokens")
def revoke_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    assert isinstance(request.user, User)
    for token in queryset:
        tokens.api_token_revoke(token=token, by=request.user)
    modeladmin.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Registry admins issue tokens (shown once) and revoke them; nothing is deleted."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "expires_at")
    search_fields = ("name", "prefix", "user__username", "user__last_name")
    autocomplete_fields = ("user",)
    actions = [revoke_selected]
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Tokens are issued and revoked, never edited.

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Revoke instead: the export log refers to tokens.

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ("user", "name", "expires_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        issued = tokens.api_token_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
            by=request.user,
        )
        # The admin logs the addition with this object: make it the saved token.
        obj.pk, obj.prefix, obj.created_at = (
            issued.token.pk,
            issued.token.prefix,
            issued.token.created_at,
        )
        obj._state.adding = False
        request._issued_token = issued  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        # The plain token is rendered once, in this response only; it is stored nowhere.
        issued = request._issued_token  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),
            "title": "API token created",
            "issued": issued,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/registry/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """Every export, read-only, for registry admins."""

    list_display = ("at", "username", "endpoint", "format", "row_count", "status", "token")
    list_filter = ("format", "status", "endpoint")
    search_fields = ("username", "endpoint")
    date_hierarchy = "at"
    list_select_related = ("token",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
