from .competencies import (
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
