from .competencies import (
    BASIC_SKILLS_DECISION,
    BASIC_SKILLS_FRAMEWORK,
    Competency,
    CompetencyArea,
    CompetencyFramework,
    CompetencyProfile,
    Level,
    ProfileRequirement,
    Tier,
)
from .pages import Audience, CourseCompetency, CourseIndexPage, CoursePage, HomePage, LessonPage
from .workflows import ReviewTask

__all__ = [
    "BASIC_SKILLS_DECISION",
    "BASIC_SKILLS_FRAMEWORK",
    "Audience",
    "Competency",
    "CompetencyArea",
    "CompetencyFramework",
    "CompetencyProfile",
    "CourseCompetency",
    "CourseIndexPage",
    "CoursePage",
    "HomePage",
    "LessonPage",
    "Level",
    "ProfileRequirement",
    "ReviewTask",
    "Tier",
]
