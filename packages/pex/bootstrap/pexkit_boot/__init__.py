"""pexkit runtime, stage 2 (imported by __main__.py on a cold start). Standard library only."""
import sys


def _load_once_from_zip():
    """zipimport compiles a source module twice (once for get_filename, once for get_code), and a
    cold start imports this package from the PEX zip: load its modules from there compiling
    each once. The finder goes when stage 1 scrubs modules imported from the zip."""
    loader = globals().get("__loader__")
    if type(loader).__name__ != "zipimporter":
        return
    spec_type = sys.modules["_frozen_importlib"].ModuleSpec
    where = __path__[0]

    class Finder(object):
        @staticmethod
        def find_spec(name, path=None, target=None):
            if not name.startswith(__name__ + ".") or name.count(".") != 1:
                return None
            origin = where + "/" + name.rsplit(".", 1)[1] + ".py"
            try:
                source = loader.get_data(origin)
            except OSError:
                return None
            spec = spec_type(name, Finder, origin=origin, loader_state=source)
            spec.has_location = True
            return spec

        @staticmethod
        def create_module(spec):
            return None

        @staticmethod
        def exec_module(module):
            spec = module.__spec__
            exec(compile(spec.loader_state, spec.origin, "exec", dont_inherit=True), module.__dict__)

    sys.meta_path.insert(0, Finder)


_load_once_from_zip()
