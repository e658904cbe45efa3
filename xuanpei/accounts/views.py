"""Account pages: user management for unit and district admins, and everyone's own profile.

User management follows the generic scoped views (core.views): a manager sees
and edits only the accounts of their own subtree (`services.manageable_users`);
others get 403, and an account outside the manager's scope is a 404.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View, generic
from rest_framework.authtoken.models import Token

from xuanpei.accounts import lockout, services
from xuanpei.accounts.filters import UserFilterSet
from xuanpei.accounts.forms import ProfileForm, SetPasswordForm, StyledPasswordChangeForm, UserForm
from xuanpei.accounts.models import User
from xuanpei.core.views import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
    ScopedViewMixin,
    ScopeViolation,
)


class UserManagerMixin(ScopedViewMixin):
    """Only user managers (unit admins, district admins) get in; rows are the manageable ones."""

    queryset = User.objects.select_related("unit", "enterprise")

    def get_model(self):
        return User

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not request.user.can_manage_users:
                raise PermissionDenied(_("您没有管理用户的权限"))
            manageable = services.manageable_users(request.user)
            self.queryset = self.queryset.filter(pk__in=manageable.values("pk"))
        return super().dispatch(request, *args, **kwargs)


class UserListView(UserManagerMixin, ObjectListView):
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"
    partial_template_name = "accounts/partials/user_table.html"
    ordering_fields = {"username": "username", "name": "first_name", "last_login": "last_login"}
    default_ordering = ["username"]


# A user page's object is not called `user`: that name is the logged-in user in every
# template (the navigation bar), and the detail views would overwrite it.
ACCOUNT = "account"


class UserDetailView(UserManagerMixin, ObjectDetailView):
    template_name = "accounts/user_detail.html"
    context_object_name = ACCOUNT

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["is_self"] = self.object.pk == self.request.user.pk
        ctx["has_token"] = Token.objects.filter(user=self.object).exists()
        ctx["is_locked"] = lockout.is_locked(self.object.get_username())
        return ctx


class UserCreateView(UserManagerMixin, ObjectCreateView):
    form_class = UserForm
    template_name = "accounts/user_form.html"
    success_message = _("用户已创建")

    def save_form(self, form):
        return services.create_user(
            actor=self.request.user,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            **form.field_values(),
        )

    def get_success_url(self):
        return reverse("accounts:user_detail", args=[self.object.pk])


class UserUpdateView(UserManagerMixin, ObjectUpdateView):
    context_object_name = ACCOUNT
    form_class = UserForm
    template_name = "accounts/user_form.html"
    success_message = _("用户信息已保存")

    def save_form(self, form):
        return services.update_user(
            User.objects.get(pk=self.object.pk), actor=self.request.user, **form.field_values()
        )

    def get_success_url(self):
        return reverse("accounts:user_detail", args=[self.object.pk])


class UserActiveView(UserManagerMixin, generic.detail.SingleObjectMixin, View):
    """POST-only: deactivate (`active` = False) or reactivate an account."""

    action = "change"
    active = False
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = self.get_object()
        try:
            services.set_active(user, actor=request.user, active=self.active)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ScopeViolation:
            messages.error(request, _("该用户超出了您的管辖范围"))
        else:
            messages.success(request, _("账号已启用") if self.active else _("账号已停用"))
        return redirect("accounts:user_detail", pk=user.pk)


class UserUnlockView(UserManagerMixin, generic.detail.SingleObjectMixin, View):
    """POST-only: lift the account's login lock-out (issue #9 item 5)."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = self.get_object()
        try:
            services.unlock_login(user, actor=request.user)
        except ScopeViolation:
            messages.error(request, _("该用户超出了您的管辖范围"))
        else:
            messages.success(request, _("已解除 %(user)s 的登录锁定") % {"user": user})
        return redirect("accounts:user_detail", pk=user.pk)


class UserPasswordView(UserManagerMixin, generic.detail.SingleObjectMixin, generic.FormView):
    """A manager sets a new password for an account (and lifts a lock-out)."""

    action = "change"
    context_object_name = ACCOUNT
    form_class = SetPasswordForm
    template_name = "accounts/user_password.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.object}

    def form_valid(self, form):
        try:
            services.reset_password(
                self.object, actor=self.request.user, password=form.cleaned_data["password1"]
            )
        except (ValidationError, ScopeViolation) as exc:
            form.add_error(None, getattr(exc, "messages", [_("该用户超出了您的管辖范围")]))
            return self.form_invalid(form)
        messages.success(self.request, _("已为 %(user)s 设置新密码") % {"user": self.object})
        return redirect("accounts:user_detail", pk=self.object.pk)


# Everyone's own account -------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The login page, with the delay ladder in front of the password check (`lockout`).

    An early attempt is answered at once (429, "请 N 秒后再试") without authenticating:
    it neither checks the password nor counts as a failure, and no worker sleeps.
    """

    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        wait = lockout.ladder_wait(request.POST.get("username", ""), lockout.client_ip(request))
        if not wait:
            return super().post(request, *args, **kwargs)
        # An unbound form: validating the bound one would authenticate.
        form = self.get_form_class()(
            request, initial={"username": request.POST.get("username", "")}
        )
        message = _("该账号登录失败次数过多，请 %(n)s 秒后再试") % {"n": wait}
        response = self.render_to_response(self.get_context_data(form=form, wait_error=message))
        response.status_code = 429
        response["Retry-After"] = str(wait)
        return response


class ProfileView(LoginRequiredMixin, View):
    """My profile: name and contact, link to change the password, my API token."""

    template_name = "accounts/profile.html"

    def render(self, request, form, **extra):
        token = Token.objects.filter(user=request.user).first()
        ctx = {"form": form, "token": token, **extra}
        return render(request, self.template_name, ctx)

    def get(self, request):
        return self.render(request, ProfileForm(instance=request.user))

    def post(self, request):
        form = ProfileForm(request.POST, instance=request.user)
        if not form.is_valid():
            return self.render(request, form)
        form.save()
        messages.success(request, _("个人信息已保存"))
        return redirect("accounts:profile")


class ApiTokenView(LoginRequiredMixin, View):
    """POST `issue` (new token, shown once) or `revoke` for the logged-in user."""

    http_method_names = ["post"]

    def post(self, request):
        if request.POST.get("op") == "revoke":
            if services.revoke_api_token(request.user):
                messages.success(request, _("API 令牌已作废"))
            return redirect("accounts:profile")
        try:
            token = services.issue_api_token(request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:profile")
        # The key is shown on this response only; the page never displays it again.
        return ProfileView().render(
            request, ProfileForm(instance=request.user), new_token=token.key
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my own password (the validators apply; the session stays logged in)."""

    form_class = StyledPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改"))
        return response
