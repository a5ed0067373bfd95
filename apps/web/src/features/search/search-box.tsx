import { SearchIcon } from './search-icon';
import { openSearch, shortcutLabel } from './search-open';

/** The sidebar's search field: opens the palette (where the typing happens), and says its shortcut. */
export function SearchBox() {
  return (
    <button type="button" className="search-box" onClick={openSearch} data-testid="search-box">
      <SearchIcon />
      <span className="search-box-text">Search</span>
      <kbd className="search-box-key">{shortcutLabel()}</kbd>
    </button>
  );
}
