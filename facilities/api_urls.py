from config.routers import ApiRouter
from facilities.api.accreditations import AccreditationViewSet
from facilities.api.imports import CatalogueImportViewSet, CategoryViewSet
from facilities.api.instruments import InstrumentViewSet
from facilities.api.testing_services import ProviderViewSet, ServiceViewSet

router = ApiRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("services", ServiceViewSet, basename="service")
router.register("providers", ProviderViewSet, basename="provider")
router.register("catalogue-imports", CatalogueImportViewSet, basename="catalogue-import")
router.register("categories", CategoryViewSet, basename="category")
router.register("accreditations", AccreditationViewSet, basename="accreditation")

urlpatterns = [*router.urls]
