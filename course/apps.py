from django.apps import AppConfig


class CourseConfig(AppConfig):
    name = "course"
    verbose_name = "Lesson"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from course.classroom.live_checklist import scenario_completed

        # A guided scenario completed in the visualizer ticks the classroom checklist live.
        post_save.connect(
            scenario_completed, sender="visualizer.ScenarioCompletion", dispatch_uid="classroom-checklist"
        )
