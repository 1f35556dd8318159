"""Units and accounts administration for the 督查室.

Units: list with aliases, add an alias, merge two spellings of one unit
(:func:`duban.plans.actions.do_merge_units`). Accounts: list, create with a role and scope
(:func:`duban.accounts.actions.do_add_user`), disable / enable (``do_set_active``). Every change
goes through those actions, so it is audited; an office limited to a region manages only that region.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.accounts import permissions
from duban.accounts.actions import AccountError, Scope, do_add_user, do_set_active
from duban.accounts.guards import allowed_to, forbidden
from duban.accounts.lookup import LookupProblem, get_unit
from duban.accounts.roles import ADMINISTER, CHOICES, ROLES
from duban.plans.actions import UnitError, do_add_alias, do_merge_units
from duban.plans.models import Campaign, Region, Unit, UnitAlias
from duban.ui import scope

PER_PAGE = 100
User = get_user_model()


# ---------------------------------------------------------------- units


class UnitFilter(forms.Form):
    q = forms.CharField(label="名称或别名", required=False, max_length=60)
    region = forms.ModelChoiceField(
        label="地区", queryset=Region.objects.none(), required=False, empty_label="全部地区"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user).filter(units__isnull=False).distinct()


class MergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label="并入的单位（将删除）", queryset=Unit.objects.none(), widget=forms.HiddenInput
    )
    target = forms.CharField(label="并入到（保留的单位名称）", max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = scope.units_in_scope(user)

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source is None or not data.get("target"):
            return data
        try:
            data["target_unit"] = get_unit(data["target"], source.region)
        except LookupProblem as e:
            self.add_error("target", str(e))
        return data


class AliasForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), widget=forms.HiddenInput)
    name = forms.CharField(label="新别名", max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.units_in_scope(user)


def _regions(user):
    ids = scope.region_ids(user)
    return Region.objects.order_by("id") if ids is None else Region.objects.filter(pk__in=ids).order_by("id")


def _units_page(request, *, error: str = "", status: int = 200):
    form = UnitFilter(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    units = (
        Unit.objects.filter(region__in=_regions(request.user))
        .select_related("region")
        .prefetch_related(Prefetch("aliases", queryset=UnitAlias.objects.order_by("name")))
        .annotate(task_count=Count("assignments__task", distinct=True))
        .order_by("region_id", "name")
    )
    if data.get("q"):
        q = data["q"]
        units = units.filter(Q(name__contains=q) | Q(aliases__name__contains=q)).distinct()
    if data.get("region"):
        units = units.filter(region=data["region"])
    page = Paginator(units, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "error": error}
    return render(request, "ui/admin/units.html", context, status=status)


@allowed_to(ADMINISTER)
def units(request):
    return _units_page(request)


@require_POST
@allowed_to(ADMINISTER)
def unit_merge(request):
    form = MergeForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = "；".join(e for errs in form.errors.values() for e in errs)
        return _units_page(request, error=f"合并失败：{errors}", status=400)
    source, target = form.cleaned_data["source"], form.cleaned_data["target_unit"]
    name = source.name
    try:
        moved = do_merge_units(source, target, actor=request.user)
    except UnitError as e:
        return _units_page(request, error=f"合并失败：{e}", status=400)
    detail = "、".join(f"{k} {v} 条" for k, v in moved.items()) or "没有相关记录"
    messages.success(request, f"已将“{name}”并入“{target.name}”（{detail}）")
    return redirect("ui:admin_units")


@require_POST
@allowed_to(ADMINISTER)
def unit_alias(request):
    form = AliasForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = "；".join(e for errs in form.errors.values() for e in errs)
        return _units_page(request, error=f"添加别名失败：{errors}", status=400)
    try:
        do_add_alias(form.cleaned_data["unit"], form.cleaned_data["name"], actor=request.user)
    except UnitError as e:
        return _units_page(request, error=f"添加别名失败：{e}", status=400)
    messages.success(request, f"已为“{form.cleaned_data['unit'].name}”添加别名“{form.cleaned_data['name']}”")
    return redirect("ui:admin_units")


# ---------------------------------------------------------------- accounts


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="邮箱", required=False)
    role = forms.ChoiceField(label="角色", choices=CHOICES)
    region = forms.ModelChoiceField(
        label="地区", queryset=Region.objects.none(), required=False, empty_label="（不限 / 随单位）"
    )
    unit = forms.CharField(label="单位（单位填报员必填）", max_length=200, required=False)
    campaign = forms.ModelChoiceField(
        label="仗 / 行动（专班办公室必填）", queryset=Campaign.objects.none(), required=False
    )
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        required=False,
        help_text="至少 10 位；留空则账号暂不能登录",
    )
    password2 = forms.CharField(label="再输一次密码", widget=forms.PasswordInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = _regions(user)
        ids = scope.region_ids(user)
        campaigns = Campaign.objects.select_related("region").order_by("region_id", "id")
        self.fields["campaign"].queryset = campaigns if ids is None else campaigns.filter(region_id__in=ids)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        role, region = data.get("role"), data.get("region")
        unit = None
        if data.get("unit"):
            try:
                unit = get_unit(data["unit"], region)
            except LookupProblem as e:
                self.add_error("unit", str(e).replace("--region", "地区").replace("（--unit）", ""))
        data["unit_obj"] = unit
        ids = scope.region_ids(self.user)
        if ids is not None:  # a regional office creates accounts inside its region only
            where = [
                r
                for r in (
                    region,
                    unit.region if unit else None,
                    getattr(data.get("campaign"), "region", None),
                )
                if r
            ]
            if not where:
                self.add_error("region", "请选择地区（您只能在本地区内建账号）")
            elif any(r.pk not in ids for r in where):
                self.add_error("region", "只能在您的管辖地区内建账号")
        required = ROLES[role].required if role in ROLES else None
        if required and {"unit": unit, "campaign": data.get("campaign")}[required] is not None:
            data["region"] = None  # a reporter's region follows its unit, a 专班's its campaign
        return data


def _managed_users(user):
    users = User.objects.select_related("profile__unit", "profile__region", "profile__campaign").order_by(
        "username"
    )
    ids = scope.region_ids(user)
    return users if ids is None else users.filter(profile__region_id__in=ids)


def _users_page(request, form=None, *, status: int = 200):
    page = Paginator(_managed_users(request.user), PER_PAGE).get_page(request.GET.get("page"))
    form = form or UserForm(user=request.user)
    return render(request, "ui/admin/users.html", {"page": page, "form": form, "query": ""}, status=status)


@allowed_to(ADMINISTER)
def users(request):
    if not permissions.can_manage_accounts(request.user):
        return forbidden(request, "只有督查室可以管理账号")
    if request.method != "POST":
        return _users_page(request)
    form = UserForm(request.POST, user=request.user)
    if not form.is_valid():
        return _users_page(request, form, status=400)
    d = form.cleaned_data
    try:
        scope_ = Scope(unit=d["unit_obj"], region=d["region"], campaign=d["campaign"])
        created = do_add_user(
            d["username"],
            d["role"],
            scope_,
            password=d["password"] or None,
            email=d["email"],
            full_name=d["full_name"],
        )
    except AccountError as e:
        form.add_error(None, str(e).replace("duban user set-role", "账号列表"))
        return _users_page(request, form, status=400)
    messages.success(request, f"已新建账号“{created.get_username()}”")
    return redirect("ui:admin_users")


@require_POST
@allowed_to(ADMINISTER)
def user_active(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    if not _managed_users(request.user).filter(pk=pk).exists() or target.is_superuser:
        return forbidden(request, "您不能管理此账号")
    if target.pk == request.user.pk:
        messages.error(request, "不能停用自己的账号")
        return redirect("ui:admin_users")
    active = request.POST.get("active") == "1"
    changed = do_set_active(target, active)
    word = "启用" if active else "停用"
    messages.success(
        request,
        f"已{word}账号“{target.get_username()}”"
        if changed
        else f"账号“{target.get_username()}”已是{word}状态",
    )
    return redirect("ui:admin_users")
