"""SQLModel tables only; importing this package registers every table with SQLModel.metadata."""

from bbbms_app.models.academics import Enrollment, SchoolClass, SubgroupMember, Subject, TeachingAssignment
from bbbms_app.models.accounts import ROLES, AccountRequest, AuditEvent, LoginSession, User
from bbbms_app.models.api import ApiClient, ApiToken
from bbbms_app.models.communication import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    AnnouncementRecipient,
    CalendarFeed,
    SchoolEvent,
)
from bbbms_app.models.consent import Consent
from bbbms_app.models.documents import Document, DocumentAck, DocumentReader, DocumentVersion
from bbbms_app.models.exports import ExportJob
from bbbms_app.models.journal import Attendance, ClassTermClose, Lesson, Mark, PeriodMark
from bbbms_app.models.learning import (
    Assignment,
    Course,
    CourseClass,
    CourseMaterial,
    CourseModule,
    ModuleLesson,
    Submission,
    SubmissionFile,
)
from bbbms_app.models.messaging import (
    Conversation,
    ConversationMember,
    Delivery,
    DiaryAck,
    JournalEvent,
    Message,
    Notification,
    NotifySettings,
)
from bbbms_app.models.movement import MovementRecord, Order
from bbbms_app.models.people import Guardian, Pupil, PupilGuardian, Staff
from bbbms_app.models.portfolio import Achievement, PortfolioLink, Project, ProjectMember, ProjectPost, ProjectTask
from bbbms_app.models.quiz import Quiz, QuizAnswer, QuizAttempt, QuizClass, QuizQuestion
from bbbms_app.models.rights import RolePermission
from bbbms_app.models.school import AcademicYear, GradingPolicy, School, Term
from bbbms_app.models.timetable import BellSchedule, Holiday, TimetableSlot

__all__ = [
    "ROLES",
    "AcademicYear",
    "AccountRequest",
    "Achievement",
    "Announcement",
    "AnnouncementAttachment",
    "AnnouncementRead",
    "AnnouncementRecipient",
    "ApiClient",
    "ApiToken",
    "Assignment",
    "Attendance",
    "AuditEvent",
    "BellSchedule",
    "CalendarFeed",
    "ClassTermClose",
    "Consent",
    "Conversation",
    "ConversationMember",
    "Course",
    "CourseClass",
    "CourseMaterial",
    "CourseModule",
    "Delivery",
    "DiaryAck",
    "Document",
    "DocumentAck",
    "DocumentReader",
    "DocumentVersion",
    "Enrollment",
    "ExportJob",
    "GradingPolicy",
    "Guardian",
    "Holiday",
    "JournalEvent",
    "Lesson",
    "LoginSession",
    "Mark",
    "Message",
    "ModuleLesson",
    "MovementRecord",
    "Notification",
    "NotifySettings",
    "Order",
    "PeriodMark",
    "PortfolioLink",
    "Project",
    "ProjectMember",
    "ProjectPost",
    "ProjectTask",
    "Pupil",
    "PupilGuardian",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizClass",
    "QuizQuestion",
    "RolePermission",
    "School",
    "SchoolClass",
    "SchoolEvent",
    "Staff",
    "SubgroupMember",
    "Subject",
    "Submission",
    "SubmissionFile",
    "TeachingAssignment",
    "Term",
    "TimetableSlot",
    "User",
]
