import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import QuestionBlock, VideoBlock


def question(kind, correct, options):
    block = QuestionBlock()
    return block, block.to_python(
        {
            "kind": kind,
            "question": "?",
            "options": [{"text": str(i), "correct": i in correct, "feedback": ""} for i in range(options)],
            "explanation": "",
        }
    )


@pytest.mark.parametrize(
    ("kind", "correct", "options", "valid"),
    [
        ("single", (0,), 3, True),
        ("single", (), 3, False),
        ("single", (0, 1), 3, False),
        ("true_false", (1,), 2, True),
        ("true_false", (0,), 3, False),
        ("multiple", (0, 2), 4, True),
        ("multiple", (0,), 4, True),  # one of four right: counting must not give the answer away
        ("multiple", (), 4, False),
        ("multiple", (0, 1, 2), 3, False),  # every box ticked would pass
    ],
)
def test_a_question_must_have_answers_that_make_sense(kind, correct, options, valid):
    block, value = question(kind, correct, options)
    if valid:
        block.clean(value)
    else:
        with pytest.raises(StructBlockValidationError):
            block.clean(value)


def test_a_video_is_a_file_or_a_link_not_both_or_neither():
    block = VideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(
            block.to_python({"title": "Video", "file": None, "url": "", "poster": None, "transcript": ""})
        )
    block.clean(
        block.to_python(
            {
                "title": "Video",
                "file": None,
                "url": "https://www.youtube.com/watch?v=x",
                "poster": None,
                "transcript": "",
            }
        )
    )


def test_each_lesson_block_knows_how_it_appears_in_the_api():
    from courses.blocks import LessonBodyBlock

    body = LessonBodyBlock()
    value = body.to_python(
        [
            {"type": "text", "id": "t1", "value": "<p>Mở ứng dụng <b>VNeID</b></p>"},
            {
                "type": "steps",
                "id": "s1",
                "value": [{"title": "Bước 1", "text": "<p>Chạm “Đăng nhập”</p>", "screenshot": None}],
            },
            {
                "type": "callout",
                "id": "c1",
                "value": {"kind": "warning", "title": "Cẩn thận", "text": "<p>OTP</p>"},
            },
            {
                "type": "video",
                "id": "v1",
                "value": {
                    "title": "Cài VNeID",
                    "file": None,
                    "url": "https://www.youtube.com/watch?v=abc",
                    "poster": None,
                    "minutes": 3,
                    "transcript": "<p>Bước một…</p>",
                },
            },
            {
                "type": "question",
                "id": "q1",
                "value": {
                    "kind": "single",
                    "question": "Công an có xin mã OTP không?",
                    "options": [
                        {"text": "Có", "correct": False, "feedback": "Sai: không bao giờ."},
                        {"text": "Không", "correct": True, "feedback": "Đúng."},
                    ],
                    "explanation": "<p>Không ai được hỏi mã OTP.</p>",
                },
            },
        ]
    )
    assert body.get_api_representation(value) == [
        {"type": "text", "id": "t1", "html": "<p>Mở ứng dụng <b>VNeID</b></p>"},
        {"type": "steps", "id": "s1", "steps": [{"title": "Bước 1", "html": "<p>Chạm “Đăng nhập”</p>"}]},
        {"type": "callout", "id": "c1", "kind": "warning", "title": "Cẩn thận", "html": "<p>OTP</p>"},
        {
            "type": "video",
            "id": "v1",
            "title": "Cài VNeID",
            "url": "https://www.youtube.com/watch?v=abc",
            "language": "",
            "transcript": "<p>Bước một…</p>",
        },
        # The question without which answer is right, its feedback or the explanation.
        {
            "type": "question",
            "id": "q1",
            "kind": "single",
            "question": "Công an có xin mã OTP không?",
            "options": ["Có", "Không"],
        },
    ]
