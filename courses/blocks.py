"""StreamField blocks of a lesson: what a trainer can put in a 3–7 minute unit."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "h3"]
AUDIO_LANGUAGES = [("vi", "Tiếng Việt"), ("tyz", "Tày"), ("nut", "Nùng"), ("hmn", "H'Mông")]

# Each block knows how it appears in the API (``get_api_representation``, as in Wagtail's bakerydemo):
# its own fields, which LessonBodyBlock sets beside the block's type and id. Links are made absolute
# with the request in the context, when there is one.


def _absolute(url: str, context: dict | None) -> str:
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request and url else url


def _html(value) -> str:
    """A rich text's stored HTML (RichText) as the app receives it."""
    return value.source if value else ""


class TextBlock(blocks.RichTextBlock):
    def get_api_representation(self, value, context=None):
        return {"html": _html(value)}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Description for screen readers"),
        required=False,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"

    def get_api_representation(self, value, context=None):
        rendition = value["image"].get_rendition("width-720|format-webp")
        return {"url": _absolute(rendition.url, context), "alt": value["alt"], "caption": value["caption"]}


class _MediaInApi:
    """A video or a narration in the API: its title, the file's address (or the video site's
    link), the language spoken and the transcript."""

    def get_api_representation(self, value, context=None):
        file = value.get("file")
        return {
            "title": value.get("title", ""),
            "url": _absolute(file.url, context) if file else value.get("url", ""),
            "language": value.get("language", ""),
            "transcript": _html(value.get("transcript")),
        }


class VideoBlock(_MediaInApi, blocks.StructBlock):
    """A video: a file uploaded to the document library, or a link to a video site."""

    title = blocks.CharBlock(label=_("Title"))
    file = DocumentChooserBlock(label=_("Video file (MP4)"), required=False)
    url = blocks.URLBlock(label=_("Or a link to the video (e.g. YouTube)"), required=False)
    poster = ImageChooserBlock(label=_("Poster image"), required=False)
    minutes = blocks.IntegerBlock(label=_("Length in minutes"), required=False, min_value=0)
    transcript = blocks.RichTextBlock(label=_("Transcript"), required=False, features=TEXT_FEATURES)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("file")) == bool(value.get("url")):
            raise StructBlockValidationError(
                block_errors={
                    "file": ErrorList([ValidationError(_("Choose a video file or give a link, not both."))])
                }
            )
        return value


class AudioBlock(_MediaInApi, blocks.StructBlock):
    """Narration for people who read little, including Tày, Nùng and H'Mông voice-overs."""

    title = blocks.CharBlock(label=_("Title"), required=False)
    file = DocumentChooserBlock(label=_("Audio file (MP3, M4A or OGG)"))
    language = blocks.ChoiceBlock(label=_("Language spoken"), choices=AUDIO_LANGUAGES, default="vi")
    transcript = blocks.RichTextBlock(label=_("Transcript"), required=False, features=TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = _("Audio narration")
        template = "courses/blocks/audio.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"))
    text = blocks.RichTextBlock(label=_("Explanation"), required=False, features=TEXT_FEATURES)
    screenshot = ImageChooserBlock(label=_("Screenshot"), required=False)


class StepsBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(StepBlock(), **kwargs)

    class Meta:
        icon = "list-ol"
        label = _("Numbered steps")
        template = "courses/blocks/steps.html"

    def get_api_representation(self, value, context=None):
        return {"steps": [{"title": step["title"], "html": _html(step["text"])} for step in value]}


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"), choices=[("tip", _("Tip")), ("warning", _("Warning"))], default="tip"
    )
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Tip or warning")
        template = "courses/blocks/callout.html"

    def get_api_representation(self, value, context=None):
        return {"kind": value["kind"], "title": value["title"], "html": _html(value["text"])}


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"))
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.CharBlock(
        label=_("Feedback"), required=False, help_text=_("Shown when someone chooses this answer.")
    )


class QuestionBlock(blocks.StructBlock):
    """A quiz question, scored on the server (learning.services.quiz_submit)."""

    SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"

    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[
            (SINGLE, _("One correct answer")),
            (MULTIPLE, _("Several correct answers")),
            (TRUE_FALSE, _("True or false")),
        ],
        default=SINGLE,
    )
    question = blocks.TextBlock(label=_("Question"))
    options = blocks.ListBlock(OptionBlock(), label=_("Answers"), min_num=2, max_num=6)
    explanation = blocks.RichTextBlock(
        label=_("Explanation"),
        required=False,
        features=TEXT_FEATURES,
        help_text=_("Shown after answering: why the right answer is right."),
    )

    class Meta:
        icon = "help"
        label = _("Quiz question")
        template = "courses/blocks/question.html"

    def get_api_representation(self, value, context=None):
        """The question without its answers: which options are correct, their feedback and the
        explanation are the server's, which scores the answers (``quiz_submit``)."""
        return {
            "kind": value["kind"],
            "question": value["question"],
            "options": [option["text"] for option in value["options"]],
        }

    def clean(self, value):
        value = super().clean(value)
        options = value.get("options") or []
        correct = sum(1 for option in options if option.get("correct"))
        kind = value.get("kind")
        message = None
        if kind == self.TRUE_FALSE and len(options) != 2:
            message = _("A true-or-false question has exactly two answers.")
        elif kind in (self.SINGLE, self.TRUE_FALSE) and correct != 1:
            message = _("Mark exactly one answer as correct.")
        elif kind == self.MULTIPLE and not 0 < correct < len(options):
            # One right of four is allowed: a "choose all" question that always had two or more right
            # taught learners to tick several without reading (issue 17). All right teaches nothing.
            message = _("Mark at least one answer correct and at least one not.")
        if message:
            raise StructBlockValidationError(block_errors={"options": ErrorList([ValidationError(message)])})
        return value


class SourceBlock(blocks.StructBlock):
    """Where a fact in the course comes from: a legal document or an official page, so that a
    training centre can check the content against it and see when it goes out of date."""

    title = blocks.CharBlock(label=_("Document or page"))
    issuer = blocks.CharBlock(label=_("Issuing body"))
    date = blocks.DateBlock(label=_("Date"), required=False)
    supports = blocks.CharBlock(label=_("What it supports"), help_text=_("The fact in the course it backs."))
    url = blocks.URLBlock(label=_("Web address"))

    class Meta:
        icon = "link"
        label = _("Source")


class CourseSourcesBlock(blocks.StreamBlock):
    source = SourceBlock()


class LessonBodyBlock(blocks.StreamBlock):
    text = TextBlock(label=_("Text"), features=TEXT_FEATURES, template="courses/blocks/text.html")
    image = ImageBlock()
    video = VideoBlock()
    audio = AudioBlock()
    steps = StepsBlock()
    callout = CalloutBlock()
    question = QuestionBlock()

    def get_api_representation(self, value, context=None):
        """Each block as an app reads it: its type and id, then its own fields."""
        return [
            {
                "type": child.block_type,
                "id": child.id,
                **child.block.get_api_representation(child.value, context),
            }
            for child in value
        ]
