"""Pydantic v2 models of the platform's requests and responses (wire field names)."""

from ._base import WireModel, exact_amount, format_timestamp, quantize
from .assets import (
    Account,
    AccountPage,
    AccountWithAssets,
    AssetBalance,
    CreatedCustomer,
    CustomerAccount,
    CustomerAccounts,
)
from .customers import Customer, CustomerPage, CustomerUpdate, NewCustomer, NullableString
from .org import (
    Branch,
    BranchPage,
    Category,
    Employee,
    EmployeePage,
    Segment,
    SegmentAccountType,
)
from .payments import (
    AmountLimit,
    NewLimit,
    NewPayment,
    Payment,
    PaymentLimit,
    PaymentPage,
    PaymentStatus,
    PeriodLimit,
    StellarInfo,
)

__all__ = [
    "Account",
    "AccountPage",
    "AccountWithAssets",
    "AmountLimit",
    "AssetBalance",
    "Branch",
    "BranchPage",
    "Category",
    "CreatedCustomer",
    "Customer",
    "CustomerAccount",
    "CustomerAccounts",
    "CustomerPage",
    "CustomerUpdate",
    "Employee",
    "EmployeePage",
    "NewCustomer",
    "NewLimit",
    "NewPayment",
    "NullableString",
    "Payment",
    "PaymentLimit",
    "PaymentPage",
    "PaymentStatus",
    "PeriodLimit",
    "Segment",
    "SegmentAccountType",
    "StellarInfo",
    "WireModel",
    "exact_amount",
    "format_timestamp",
    "quantize",
]
