"""Run-time control flow: each converted function is run against the original on inputs that take every
path, including the paths where only the branch not taken would raise."""
import numpy as np
import tensorflow as tf

from conversion_checks import F32, refused, same
from transpiler import convert


def test_if_else_joins_rebound_names():
    def f(x):
        m = x.max()
        if m > 1:
            y = x / m
        elif m < -1:
            y = -x
        else:
            y = x * 2
        return y
    source = same(f, "float32[None]", F32(3, 1), F32(-3, 0.5), F32(0.5, 0.25)).source
    assert "tf.cond" in source


def test_early_return_takes_the_rest_as_the_other_branch():
    def f(x):
        if x.size == 0:
            return np.zeros(0, np.float32)
        return (x - x.mean()).astype(np.float32)
    same(f, "float32[None]", F32(), F32(1, 2, 4))


def test_branch_not_taken_never_runs():
    def f(x):
        if len(x) > 0 and x[0] > 0:
            return x / x[0]
        return x
    same(f, "float32[None]", F32(), F32(2, 4), F32(-1, 4))


def test_each_returning_path_converts_to_tout_itself():
    # a Python float on one path, a float32 array on the other: py_function converts each to Tout
    import tensorflow as tf
    from transpiler.pipeline import convert_text
    src = ("import numpy as np\nimport tensorflow as tf\n\n\ndef f(x):\n    if x.sum() > 0:\n"
           "        return 0.5\n    return x.max()\n\n\ndef g(x):\n"
           "    return tf.py_function(f, [x], tf.float32)\n").replace("if x.sum()", "if x.numpy().sum()").replace("return x.max()", "return x.numpy().max()")
    [site] = convert_text(src, "m.py", {"f": "float32[None]"}, verify=False).sites
    assert site.status == "converted", site.reasons
    namespace = {"tf": tf}
    exec(site.replacement.source, namespace)
    native = namespace[site.replacement.name]
    assert native(F32(1, 2)).numpy() == np.float32(0.5)
    assert native(F32(-1, -2)).numpy() == np.float32(-1)


def test_conditional_expression_and_boolean_operators():
    def f(x):
        s = x.sum()
        sign = 1.0 if s > 0 else -1.0
        ok = s > 0 and x[0] > 0
        return np.float32(sign) * x + ok
    same(f, "float32[None]", F32(3, 1), F32(-3, 1), F32(2, -1), F32())


def test_python_scalars_of_one_kind_join():
    def f(x):
        state = 0
        if x.mean() > 0:
            state = 1
        return x + state
    same(f, "int64[None]", np.array([1, 2]), np.array([-5, 1]))


def test_dtype_that_depends_on_the_path_is_refused():
    def f(x):
        y = x
        if x.sum() > 0:
            y = x.astype(np.float64)
        return y
    refused(f, "float32[None]", "P224", "`y` is float64 on one path and float32 on the other")


def test_path_dependent_aliasing_refuses_later_writes():
    def f(x):
        x = x.copy()
        if x.sum() > 0:
            y = x
        else:
            y = x.copy()
        y[0] = 7
        return x
    refused(f, "float32[3]", "P231", "shares its buffer with `x`")


def test_truth_of_a_vector_is_refused_as_numpy_raises():
    def f(x):
        if x > 0:
            return x
        return -x
    refused(f, "float32[3]", "P301", "ambiguous")


# --- loops with a run-time trip count ---------------------------------------------------------------------

def test_for_range_with_in_place_writes_and_a_carried_state():
    def f(p):
        smooth = np.zeros(len(p))
        if len(p):
            smooth[0] = p[0]
        for t in range(1, len(p)):
            smooth[t] = 0.3 * p[t] + 0.7 * smooth[t - 1]
        state = 0
        active = np.zeros(len(p), np.int32)
        for t in range(len(p)):
            if state == 0 and smooth[t] > 0.6:
                state = 1
            elif state == 1 and smooth[t] < 0.4:
                state = 0
            active[t] = state
        return smooth + active
    source = same(f, "float32[None]", F32(0.1, 0.9, 0.95, 0.99, 0.2, 0.1, 0.0), F32(), F32(0.7)).source
    assert "tf.while_loop" in source


def test_break_and_continue():
    def f(x):
        k = -1
        for i in range(len(x)):
            if x[i] >= 0:
                continue
            k = i
            break
        return k
    same(f, "float32[None]", F32(1, 2, -3, -4), F32(), F32(1))


def test_rows_of_an_array_of_unknown_length():
    def f(x):
        total = np.zeros(x.shape[1], x.dtype)
        for row in x:
            total = total + row * 2
        return total
    same(f, "float32[None,3]", np.array([[1, 2, 3], [4, 5, 6]], np.float32), np.zeros((0, 3), np.float32))


def test_while_with_a_data_dependent_trip_count():
    def f(x):
        n = 0
        s = x.sum()
        while s > 1:
            s = s / 2
            n += 1
        return n
    same(f, "float32[None]", F32(1, 2, 30), F32(0.5), F32())


def test_while_true_with_break_and_growing_shape():
    def f(x):
        out = x[:1]
        while True:
            if len(out) >= len(x):
                break
            out = np.concatenate([out, out])
        return out
    same(f, "float32[None]", F32(1, 2, 3), F32(1), F32(1, 2, 3, 4, 5))


def test_dtype_changing_in_the_loop_is_refused():
    def f(x):
        acc = 0
        for i in range(len(x)):
            acc += x[i]
        return acc
    refused(f, "float32[None]", "P225", "`acc` is a Python int before this loop and float32 after")


def test_name_bound_only_in_the_loop_is_unbound_after():
    def f(x):
        for i in range(len(x)):
            last = x[i]
        return last
    refused(f, "float32[None]", "P109", "`last` is bound on some paths only")


def test_enumerate_and_zip_over_rows_of_run_time_length():
    def f(x, w):
        acc = np.zeros(x.shape[1], np.float32)
        for i, row in enumerate(x, 1):
            acc = acc + row * i
        for a, b in zip(x, w):      # stops at the shorter
            acc = acc - a * b
        return acc
    x = np.array([[1, 2], [3, 4], [5, 6]], np.float32)
    native = convert(f, signature="float32[None,2], float32[None,2]", verify=False)
    for w in (np.ones((2, 2), np.float32), np.full((4, 2), 2, np.float32), np.zeros((0, 2), np.float32)):
        np.testing.assert_allclose(native(x, w).numpy(), f(x, w), rtol=1e-6)
    assert "tf.while_loop" in native.source


def test_nested_run_time_loops_keep_each_counter():
    def f(x):
        s = np.float32(0)
        for i in range(x.shape[0]):
            for j in range(i, x.shape[0]):
                s += x[i] * x[j]
        return s
    same(f, "float32[None]", F32(1, 0, -3, 4), F32(2), F32())


def test_continue_without_break_in_a_run_time_loop():
    def f(x):
        s = np.float32(0)
        for v in x:
            if v < 0:
                continue
            s += v
        return s
    same(f, "float32[None]", F32(1, -2, 3), F32())


# -- `return` inside a run-time loop: the loop breaks with what it returns, and the function returns it after
# the loop if it did (loops.returns_as_breaks)

def test_return_inside_a_range_loop_and_after_it():
    def first_above(x, t):
        for i in range(len(x)):
            if x[i] > t:
                return i
        return -1
    same(first_above, "float32[None], float32[]", (F32(1, 5, 3), np.float32(2)), (F32(1, 1), np.float32(2)),
         (F32(), np.float32(0)))


def test_return_of_a_row_inside_a_loop_over_rows():
    def first_heavy_row(x):
        for r in x:
            if r.sum() > 1:
                return r * 2
        return np.zeros(x.shape[1], x.dtype)
    same(first_heavy_row, "float64[None,None]", np.array([[0, 0.5], [1, 2], [3, 3]]), np.zeros((0, 2)),
         np.array([[0.1, 0.2, 0.3]]))


def test_return_of_two_values_inside_a_while_loop():
    def first_negative(x):
        k = 0
        while k < len(x):
            if x[k] < 0:
                return x[k] * 2, k
            k += 1
        return np.float32(0), -1
    native = convert(first_negative, "float32[None]", verify=False)
    for x in (F32(1, -5, -3), F32(1), F32()):
        value, index = native(x)
        want_value, want_index = first_negative(x)
        assert value.numpy() == want_value and value.dtype == tf.float32 and index.numpy() == want_index


def test_return_inside_a_loop_nested_in_a_run_time_loop_is_refused():
    def f(x):
        for i in range(len(x)):
            for j in range(len(x)):
                if x[i] + x[j] == 0:
                    return i
        return -1
    refused(f, "float32[None]", "P222", "nested in a run-time loop")
