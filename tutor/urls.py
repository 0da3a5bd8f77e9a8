from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from tutor.forms import StaffPasswordResetForm
from tutor.language import choose_language
from tutor.login_throttle import ThrottledAuthenticationForm
from tutor.lti import views as lti
from tutor.lti.keys import jwks
from tutor.views import accounts, analytics, review, roster, student, teacher

urlpatterns = [
    path("", student.home, name="home"),
    path("healthz", student.healthz, name="healthz"),
    path("language", choose_language, name="language"),
    # The scripts' strings in the page's language (gettext() and interpolate() in JS).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("join/", accounts.join, name="join"),
    path("account/password/", accounts.PasswordChange.as_view(), name="password_change"),
    # Reset by email: teachers and admins only (StaffPasswordResetForm sends students nothing).
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            template_name="registration/password_reset.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # Students
    path("sets/<int:set_id>/", student.problem_set, name="problem_set"),
    path("problems/<int:problem_id>/", student.problem, name="problem"),
    path("problems/<int:problem_id>/steps", student.check_steps, name="problem_steps"),
    path("problems/<int:problem_id>/answer", student.submit_answer, name="problem_answer"),
    path(
        "problems/<int:problem_id>/answer/read-as",
        student.answer_read_as,
        name="problem_answer_read_as",
    ),
    path("problems/<int:problem_id>/another", student.another_variant, name="problem_another"),
    path("disputes", student.dispute, name="dispute"),
    path("tutor/turns/<int:turn_id>/steps", student.turn_steps, name="turn_steps"),
    # Teachers
    path("teach/", teacher.home, name="teach_home"),
    path("teach/classes/new", teacher.classroom_create, name="teach_class_create"),
    path("teach/classes/<int:classroom_id>/", teacher.classroom_detail, name="teach_class"),
    path(
        "teach/classes/<int:classroom_id>/code",
        teacher.classroom_regenerate,
        name="teach_class_code",
    ),
    path("teach/classes/<int:classroom_id>/assign", teacher.assign, name="teach_assign"),
    path(
        "teach/classes/<int:classroom_id>/students/<int:student_id>/remove",
        roster.student_remove,
        name="teach_student_remove",
    ),
    path(
        "teach/classes/<int:classroom_id>/students/<int:student_id>/password",
        roster.student_password,
        name="teach_student_password",
    ),
    path("teach/sets/new", teacher.set_create, name="teach_set_create"),
    path("teach/sets/<int:set_id>/", teacher.set_detail, name="teach_set"),
    path("teach/sets/<int:set_id>/problems/new", teacher.problem_edit, name="teach_problem_new"),
    path(
        "teach/sets/<int:set_id>/problems/<int:problem_id>/",
        teacher.problem_edit,
        name="teach_problem_edit",
    ),
    path("teach/sets/<int:set_id>/import", teacher.set_import, name="teach_set_import"),
    path("teach/problems/<int:problem_id>/move", teacher.problem_move, name="teach_problem_move"),
    path(
        "teach/problems/<int:problem_id>/delete",
        teacher.problem_delete,
        name="teach_problem_delete",
    ),
    path("teach/assignments/<int:assignment_id>/", teacher.progress, name="teach_progress"),
    path(
        "teach/assignments/<int:assignment_id>/gradebook.csv",
        teacher.gradebook_csv,
        name="teach_gradebook",
    ),
    path(
        "teach/assignments/<int:assignment_id>/analytics/",
        analytics.analytics,
        name="teach_analytics",
    ),
    path(
        "teach/assignments/<int:assignment_id>/analytics.csv",
        analytics.analytics_csv,
        name="teach_analytics_csv",
    ),
    path(
        "teach/assignments/<int:assignment_id>/students/<int:student_id>/problems/<int:problem_id>/",
        teacher.student_work,
        name="teach_student_work",
    ),
    path("teach/flags/", teacher.teacher_flags, name="teach_flags"),
    # Reviewers
    path("review/", review.queue, name="review_queue"),
    path("review/flags/<int:flag_id>/", review.flag_detail, name="review_flag"),
    # LTI 1.3 (docs/lti.md): the platform calls these.
    path("lti/jwks.json", jwks, name="lti_jwks"),
    path("lti/login/<uuid:registration_uuid>/", lti.LoginInitiation.as_view(), name="lti_login"),
    path("lti/launch/", lti.launch, name="lti_launch"),
    path("lti/deep-link/", lti.deep_link, name="lti_deep_link"),
    path(
        "teach/classes/<int:classroom_id>/lti-roster",
        lti.roster_sync,
        name="teach_class_lti_roster",
    ),
    path("admin/", admin.site.urls),
]
