from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "duban.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self):
        """Tracking's timeline and task status learn about 督办 through registrations (tracking sits below)."""
        from duban.supervision import assignments, timeline  # models load only once the app registry is ready
        from duban.tracking.status import register_given_out

        timeline.register()
        register_given_out("supervision.assignments", assignments.assignment_starts)
