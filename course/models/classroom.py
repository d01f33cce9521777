"""The live classroom: a class session, its students, quiz questions and answers, discussion pairs.

State that must survive a reload or a server restart lives here, never only in a consumer: the
instructor's current section and its accumulated time, every answer, every pair's shared text. Consumers
and views change it only through `course.classroom.actions`, which also builds the events to broadcast.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NICKNAME_MAX = 20
PAIR_TEXT_MAX = 500


class Level(models.TextChoices):
    BEGINNER = "beginner", _("초급")
    INTERMEDIATE = "intermediate", _("중급")
    ADVANCED = "advanced", _("고급")


LEVEL_RANK = {Level.BEGINNER: 0, Level.INTERMEDIATE: 1, Level.ADVANCED: 2}


class ClassSession(models.Model):
    """One run of the lesson with one instructor; students find it by its short join `code`."""

    lesson = models.ForeignKey("course.Lesson", on_delete=models.CASCADE, related_name="class_sessions")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8, unique=True)
    title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    # Pacing: where the instructor is, since when, and the seconds already spent in each section.
    current_section = models.SlugField(blank=True)
    section_started_at = models.DateTimeField(null=True, blank=True)
    section_seconds = models.JSONField(default=dict, blank=True)

    # Peer instruction: the question the instructor opened live, its round (1 or 2) and whether the
    # histogram is shown to the class.
    live_question = models.ForeignKey(
        "course.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    live_round = models.PositiveSmallIntegerField(default=0)
    live_revealed = models.BooleanField(default=False)

    # Pair discussion (페어 토론, 5 minutes) and the share board's spotlight (전체 공유).
    discussion_started_at = models.DateTimeField(null=True, blank=True)
    spotlight = models.ForeignKey(
        "course.Pair", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Predict → observe on the class's demo cluster (a visualizer ClusterRecord of kind "demo", driven by
    # the instructor, watched read-only by the projector and the students). `prediction_played` is False
    # while students commit their predictions and True once the action ran; `prediction_outcome` keeps
    # what the demo answered to the setup and the action, so a reload shows the same outcome.
    demo_cluster = models.ForeignKey(
        "visualizer.ClusterRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prediction = models.ForeignKey(
        "course.Prediction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prediction_played = models.BooleanField(default=False)
    prediction_outcome = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} · {self.title or self.lesson.title}"

    def get_absolute_url(self) -> str:
        return reverse("course:classroom:teach", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Student(models.Model):
    """A participant without an account; a signed cookie carrying the primary key keeps them across reloads."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="students")
    nickname = models.CharField(max_length=NICKNAME_MAX + 4)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    joined_at = models.DateTimeField(default=timezone.now)
    pair = models.ForeignKey(
        "course.Pair", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # The browser's visualizer identity at join (visualizer.identity.owner_key_for): the sandbox and the
    # guided scenarios this student completes in the same browser count as evidence for 세션 마무리.
    visualizer_key = models.CharField(max_length=80, blank=True, db_index=True)
    # Presence (course.classroom.presence): open classroom sockets of this student, counted in the database
    # so every Daphne process sees the same number, and the last sign of life (connect, ping, disconnect).
    # A process that dies never decrements its sockets, so "online" also needs a recent `last_seen`.
    sockets = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "nickname"], name="unique_nickname_per_class")
        ]

    def __str__(self) -> str:
        return self.nickname


class QuestionKind(models.TextChoices):
    # Translated, so the quiz forms and the dashboard read in the page's language (the frames' kind_label
    # stays Korean; static/js/classroom/dom.js kindLabel names the kind in the browser).
    SINGLE = "single", _("단일 선택")
    MULTIPLE = "multiple", _("복수 선택")
    ORDERING = "ordering", _("순서 맞추기")
    MATCHING = "matching", _("짝 맞추기")
    YAML = "yaml", _("YAML 과제")


class Outcome(models.TextChoices):
    """The four 오늘 세션 성과 of 세션 마무리; a question is evidence for at most one."""

    DEFINITION = "definition", "오케스트레이션의 정확한 정의와 철학 이해"
    FEATURES = "features", "8가지 핵심 기능과 각각의 역할 파악"
    ARCHITECTURE = "architecture", "마스터-워커 아키텍처 구조 이해"
    DECLARATIVE = "declarative", "선언적 관리의 개념과 장점 인식"


class LessonContentManager(models.Manager):
    """Quiz questions and predictions are found by their `key` (unique across the course), so a fixture may
    leave out `pk` and still update the row it names instead of adding a copy."""

    def get_by_natural_key(self, key: str):
        return self.get(key=key)


class Question(models.Model):
    """A quiz question of one lesson, shown on the section of that lesson whose slug is `section`.

    `lesson` is null only for rows that existed before questions belonged to a lesson and found no lesson to
    join (migration 0011); such a question is shown in no class until it is given one in the admin.

    `choices` and `answer` depend on `kind`:
    single: choices [str], answer int · multiple: choices [str], answer [int] · ordering: choices [str]
    in the correct order (shown shuffled), answer null · matching: choices {"left": [str], "right": [str]},
    answer [int] (the right index for each left item) · yaml: choices {"starter": str}, answer
    {"image": str, "replicas": int} (the state the applied manifest must produce).
    """

    key = models.SlugField(unique=True)
    lesson = models.ForeignKey(
        "course.Lesson",
        null=True,
        on_delete=models.CASCADE,
        related_name="questions",
        help_text="The lesson whose classes ask this question.",
    )
    order = models.PositiveIntegerField(default=0)
    section = models.SlugField(help_text="A section slug of the lesson, e.g. concept-2.")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    prompt = models.TextField()
    choices = models.JSONField(default=list, blank=True)
    answer = models.JSONField(null=True, blank=True)
    explanation = models.TextField()
    is_active = models.BooleanField(default=True)

    objects = LessonContentManager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.prompt[:60]}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    natural_key.dependencies = ["course.lesson"]


class Answer(models.Model):
    """A student's latest answer to one question in one round (0 = self-paced, 1 and 2 = peer instruction)."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="answers")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    round = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField()
    correct = models.BooleanField()
    attempts = models.PositiveIntegerField(default=1)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "question", "round"], name="one_answer_per_round"),
        ]
        indexes = [models.Index(fields=["session", "question", "round"])]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.question_id} · {self.round}"


class Pair(models.Model):
    """Two (or three) students discussing the prompts of their class's lesson (course.classroom.discussion)
    with one shared answer."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="pairs")
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=8, blank=True, help_text="Set when students pair themselves by code.")
    features = models.JSONField(default=list, blank=True, help_text="Prompt 1: three of the 8 feature keys.")
    practice = models.TextField(blank=True, max_length=PAIR_TEXT_MAX)
    automation = models.TextField(blank=True, max_length=PAIR_TEXT_MAX)
    # Every prompt's answer by prompt number ("1"…"5"): a list of choice keys for the picker, text otherwise;
    # derived from `ydoc` with the class's lesson's discussion. Empty for a pair last edited before prompts
    # came from the lesson: read `features` / `practice` / `automation` then (course.classroom.answers).
    answers = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0)
    # The shared answer as a Yjs document (course.classroom.pair_doc): partners co-edit it; the three
    # fields above are derived from it after every change. Empty until the first edit.
    ydoc = models.BinaryField(default=bytes, blank=True, editable=False)
    hidden = models.BooleanField(
        default=False, help_text="Hidden by the instructor from the board and projector."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="unique_pair_number")]

    def __str__(self) -> str:
        return f"{self.session.code} · {self.number}조"


class Prediction(models.Model):
    """A predict → observe prompt of one lesson about the class's demo cluster (fixtures/predictions.json).

    Before the vote the demo is paused and, when `fresh`, reset; the `setup` commands then prepare it (end
    them with `sim wait N` so the cluster settles while its clock is stopped). Students pick one of
    `choices`; the instructor then plays: `action` runs on the demo and its clock resumes, and the class
    watches the outcome beside the histogram. `{pod:app=web}` in `action` names one pod with that label.
    """

    key = models.SlugField(unique=True)
    lesson = models.ForeignKey(
        "course.Lesson",
        null=True,
        on_delete=models.CASCADE,
        related_name="predictions",
        help_text="The lesson whose classes play this prompt.",
    )
    order = models.PositiveIntegerField(default=0)
    section = models.SlugField(
        blank=True, help_text="A section slug of the lesson the prompt belongs to, for the link."
    )
    prompt = models.TextField()
    choices = models.JSONField(default=list, help_text="[str], two to six")
    answer = models.PositiveSmallIntegerField(help_text="Index of the correct choice")
    explanation = models.TextField()
    fresh = models.BooleanField(default=True, help_text="Reset the demo cluster before the setup.")
    setup = models.JSONField(default=list, blank=True, help_text="Commands run on the paused demo: [str]")
    action = models.CharField(max_length=300, help_text="The command played after the vote")
    is_active = models.BooleanField(default=True)

    objects = LessonContentManager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.prompt[:60]}"

    def natural_key(self) -> tuple[str]:
        return (self.key,)

    natural_key.dependencies = ["course.lesson"]


class PredictionVote(models.Model):
    """A student's prediction for the prompt open in their class (the latest choice counts)."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="prediction_votes")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="prediction_votes")
    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="votes")
    choice = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "prediction"], name="one_prediction_per_student"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} · {self.prediction_id} · {self.choice}"
