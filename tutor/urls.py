from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tutor.login_throttle import ThrottledAuthenticationForm
from tutor.views import accounts, analytics, review, student, teacher

urlpatterns = [
    path("", student.home, name="home"),
    path("healthz", student.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("join/", accounts.join, name="join"),
    # Students
    path("sets/<int:set_id>/", student.problem_set, name="problem_set"),
    path("problems/<int:problem_id>/", student.problem, name="problem"),
    path("problems/<int:problem_id>/steps", student.check_steps, name="problem_steps"),
    path("problems/<int:problem_id>/answer", student.submit_answer, name="problem_answer"),
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
    path("admin/", admin.site.urls),
]
