"""Read-only admin pages: messages, channel settings and the delivery log.

Channels are changed with ``duban channel set`` (one audited action); deliveries are a log.
"""

from django.contrib import admin

from duban.notify.models import ChannelConfig, Delivery, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "unit", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]


@admin.register(ChannelConfig)
class ChannelConfigAdmin(ReadOnlyAdmin):
    list_display = ["unit", "emails", "updated_at"]
    exclude = ["dingtalk_secret", "wecom_webhook", "dingtalk_webhook"]  # tokens stay out of pages


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "recipient", "state", "attempts", "error"]
    list_filter = ["state", "channel"]
    search_fields = ["recipient", "error"]
