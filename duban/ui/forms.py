"""Forms of the UI pages, with Chinese labels and errors. They only validate; actions write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from duban.tracking.actions import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from duban.tracking.attachments import ALLOWED, attachment_problem
from duban.tracking.models import SELF_STATUSES


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确（注意区分大小写）。",
        "inactive": "该账号已停用，请联系督查室。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].error_messages["required"] = "请输入用户名"
        self.fields["password"].error_messages["required"] = "请输入密码"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files (the size rule is checked here so the form can say which file)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED)}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(f"附件最多 {MAX_ATTACHMENTS} 个，选择了 {len(files)} 个")
        for f in files:
            if f.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    f"附件“{f.name}”超过大小上限 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB"
                )
            problem = attachment_problem(f.name, f.read())
            f.seek(0)
            if problem:
                raise forms.ValidationError(problem)
        return files


def _area(rows: int = 3, placeholder: str = "") -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class ReportForm(forms.Form):
    """进展报送: one form per task; ``prefix`` t<task id> keeps several on one page apart."""

    unit = forms.TypedChoiceField(label="报送单位", coerce=int)
    period = forms.ChoiceField(label="报送期间", error_messages={"required": "请选择报送期间"})
    narrative = forms.CharField(
        label="工作进展",
        widget=_area(4, "本期完成的工作、取得的成效"),
        max_length=5000,
        error_messages={"required": "请填写工作进展"},
    )
    percent = forms.FloatField(
        label="完成进度（%）",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "required": "请填写完成进度（0–100）",
            "invalid": "完成进度须为数字",
            "min_value": "完成进度不能小于 0",
            "max_value": "完成进度不能大于 100",
        },
    )
    status = forms.ChoiceField(
        label="自评状态",
        choices=[(s, s) for s in SELF_STATUSES],
        error_messages={"required": "请选择自评状态"},
    )
    problems = forms.CharField(label="存在问题", required=False, widget=_area(2), max_length=3000)
    needs = forms.CharField(label="需协调事项", required=False, widget=_area(2), max_length=3000)
    consolidated = forms.BooleanField(label="作为牵头单位汇总报送（牵头汇总）", required=False)
    attachments = MultipleFileField(
        label="附件",
        help_text=f"可多选，最多 {MAX_ATTACHMENTS} 个，每个不超过 20 MB；只接受 Word/Excel/WPS 文档、PDF 和 .png/.jpg 图片"
    )

    def __init__(self, *args, units, periods, targets=(), lead_unit_ids=(), **kwargs):
        """units: [(id, name)]; periods: [(code, label)]; targets: Target rows offered for actuals."""
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = list(units)
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].initial = units[0][0]
        self.fields["period"].choices = list(periods)
        if periods:
            self.fields["period"].initial = periods[0][0]
        if not lead_unit_ids:
            del self.fields["consolidated"]
        # one optional field per target; a submitted form validates only the targets given a value
        # (an empty one cleans to None: the same result), the others are added when shown again
        self.targets = {f"actual_{t.pk}": t for t in targets}
        self.target_fields = list(self.targets)
        for name in self.target_fields:
            if not self.is_bound or str(self.data.get(self.add_prefix(name), "")).strip():
                self._add_target_field(name)

    def _add_target_field(self, name: str) -> None:
        t = self.targets[name]
        self.fields[name] = forms.FloatField(
            label=f"{t.indicator}（目标：{t.measure}{t.value:g}{t.measure_unit}{t.qualifier}）",
            required=False,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            error_messages={"invalid": f"“{t.indicator}”的实际值须为数字"},
        )

    def target_bound_fields(self):
        for name in self.target_fields:
            if name not in self.fields:
                self._add_target_field(name)
        return [self[name] for name in self.target_fields]

    def actuals(self) -> dict[int, float]:
        return {
            int(name.split("_", 1)[1]): self.cleaned_data[name]
            for name in self.target_fields
            if self.cleaned_data.get(name) is not None
        }


class InstructionForm(forms.Form):
    text = forms.CharField(
        label="批示内容",
        widget=_area(3, "如：请市发改委牵头，月底前拿出解决方案。"),
        max_length=2000,
        error_messages={"required": "请填写批示内容"},
    )
