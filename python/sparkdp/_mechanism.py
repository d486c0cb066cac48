"""The noise-mechanism enums of the aggregations (Tumult's names and values).

Each enum names the mechanism a user asks for; ``DEFAULT`` lets sparkdp
choose. Which mechanism ``DEFAULT`` becomes, and whether a requested one is
allowed under a budget, is decided in the native core when the query is
evaluated, never here. As in Tumult, every aggregation that takes a mechanism
also takes its name as a string, case-insensitive (``"default"``,
``"laplace"``, ``"gaussian"``); the JVM's ``fromName`` says whether a string
names one, with Tumult's message.
"""

from enum import Enum
from typing import Type, Union

from sparkdp import _java

__all__ = [
    "AverageMechanism",
    "CountDistinctMechanism",
    "CountMechanism",
    "StdevMechanism",
    "SumMechanism",
    "VarianceMechanism",
    "mechanism_name",
]


class CountMechanism(Enum):
    """Possible mechanisms for the count() aggregation (Tumult's names).

    ``DEFAULT`` lets sparkdp choose (discrete Laplace under a PureDPBudget or
    ApproxDPBudget, discrete Gaussian under a RhoZCDPBudget); ``LAPLACE`` is
    discrete Laplace noise; ``GAUSSIAN`` is discrete Gaussian noise, which
    needs a RhoZCDPBudget (evaluating it with another budget raises
    ValueError). As in Tumult, ``count`` also takes the names as strings,
    case-insensitive: ``"default"``, ``"laplace"``, ``"gaussian"``.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


class CountDistinctMechanism(Enum):
    """Possible mechanisms for the count_distinct() aggregation (Tumult's names).

    The same choices as :class:`CountMechanism`: ``GAUSSIAN`` needs a
    RhoZCDPBudget.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


class SumMechanism(Enum):
    """Possible mechanisms for the sum() aggregation (Tumult's names).

    ``LAPLACE``: Laplace-family noise, ``GAUSSIAN``: Gaussian-family noise
    (needs a RhoZCDPBudget); the exact sampler for each column type is the
    native core's choice.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


class AverageMechanism(Enum):
    """Possible mechanisms for the average() aggregation (Tumult's names).

    As :class:`SumMechanism`, for the sum and the count the average divides.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


class VarianceMechanism(Enum):
    """Possible mechanisms for the variance() aggregation (Tumult's names).

    As :class:`SumMechanism`, for each noisy sum the variance is built from.
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


class StdevMechanism(Enum):
    """Possible mechanisms for the stdev() aggregation (Tumult's names).

    As :class:`VarianceMechanism` (the stdev is the variance's square root).
    """

    DEFAULT = 1
    LAPLACE = 2
    GAUSSIAN = 3


MechanismArgument = Union[Enum, str]


def mechanism_name(mechanism: MechanismArgument, enum_class: Type[Enum]) -> str:
    """The name the JVM's ``<enum_class>.fromName`` takes, e.g. ``"laplace"``.

    A member of ``enum_class`` gives its lower-case name. A string is passed as
    it is (case-insensitive): whether it names a mechanism is the JVM's to say,
    with Tumult's message, checked now if a SparkContext with the sparkdp jar
    runs, else when the query is evaluated.

    Args:
        mechanism: A member of ``enum_class``, or a mechanism's name.
        enum_class: The aggregation's enum, e.g. :class:`SumMechanism`; the JVM
            class of the same simple name parses strings.

    Returns:
        The name to forward.

    Raises:
        TypeError: ``mechanism`` is neither a member of ``enum_class`` nor a
            string (a member of another aggregation's enum included, as
            Tumult's type check refuses it).
        ValueError: the running JVM does not know the name.
    """
    if isinstance(mechanism, enum_class):
        return mechanism.name.lower()
    _java.check_type(mechanism, (enum_class, str), "mechanism")
    java_class_name = enum_class.__name__
    _java.check_in_jvm(
        java_class_name,
        lambda jvm: _java.call_java(
            _java.sparkdp_class(jvm, java_class_name).fromName, mechanism
        ),
    )
    return mechanism
